/// The code-and-factor metrics of disentanglement_lib in one pass: MIG, DCI,
/// SAP, modularity and explicitness, on fixed train and test splits.
///
/// Keys of ``DisentanglementScores/dictionary`` are the names `latent metrics --json` prints.
public struct DisentanglementScores: Sendable {
    /// The Mutual Information Gap on the training split.
    public var mig: Double
    /// DCI disentanglement, completeness and informativeness (trees fit on the training split).
    public var dci: DCIScores
    /// The SAP score: single-code classifiers fit on the training split, scored on the test split.
    public var sap: Double
    /// Modularity on the training split and explicitness on both splits.
    public var modularityExplicitness: ModularityExplicitness

    /// Computes all five metrics. Rows are points: codes (n, d), factors (n, k)
    /// with arbitrary integer labels; the study used 10,000 train and 5,000
    /// test points. MIG and modularity discretize each code into `bins` histogram bins.
    /// Throws ``MetricError`` on empty, mismatched or non-finite input, or when no
    /// factor takes more than one value.
    ///
    /// ```swift
    /// let scores = try DisentanglementScores(trainCodes: a, trainFactors: b, testCodes: c, testFactors: d)
    /// print(scores.mig, scores.dci.disentanglement)
    /// ```
    public init(trainCodes: [[Double]], trainFactors: [[Int]], testCodes: [[Double]], testFactors: [[Int]], bins: Int = 20) throws {
        let (train, test) = try MetricColumns.pair(trainCodes: trainCodes, trainFactors: trainFactors, testCodes: testCodes, testFactors: testFactors)
        mig = try mutualInformationGap(train, bins: bins)
        dci = dciScores(train: train, test: test, trainRows: trainCodes, testRows: testCodes)
        sap = sapScore(train: train, test: test)
        modularityExplicitness = try Latent.modularityExplicitness(train: train, test: test, bins: bins)
    }

    /// Tensor convenience: codes (n, d) and factors (n, k) holding integer values
    /// (rounded to the nearest integer); a tensor that is not 2-D stops.
    public init(trainCodes: Tensor, trainFactors: Tensor, testCodes: Tensor, testFactors: Tensor, bins: Int = 20) throws {
        func labels(_ t: Tensor) -> [[Int]] { rowsOfDoubles(t).map { $0.map { Int($0.rounded()) } } }
        try self.init(trainCodes: rowsOfDoubles(trainCodes), trainFactors: labels(trainFactors),
                      testCodes: rowsOfDoubles(testCodes), testFactors: labels(testFactors), bins: bins)
    }

    /// Name and value of every score, in a fixed order.
    public var dictionary: [(key: String, value: Double)] {
        [("mig", mig),
         ("dci_disentanglement", dci.disentanglement),
         ("dci_completeness", dci.completeness),
         ("dci_informativeness_train", dci.informativenessTrain),
         ("dci_informativeness_test", dci.informativenessTest),
         ("sap", sap),
         ("modularity", modularityExplicitness.modularity),
         ("explicitness_train", modularityExplicitness.explicitnessTrain),
         ("explicitness_test", modularityExplicitness.explicitnessTest)]
    }
}
