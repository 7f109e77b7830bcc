/// Separated Attribute Predictability (Kumar et al. 2018) for discrete
/// factors, as disentanglement_lib computes it: for every (code, factor) pair
/// a ``LinearSVC`` (C = 0.01, balanced class weights) on that single code
/// dimension, scored by test accuracy; per factor the gap between the two
/// best codes, averaged over factors.
///
/// With one code dimension the second-best accuracy is taken as 0. A factor
/// with one training value gets constant classifiers (gap 0).
///
/// ```swift
/// let sap = try sapScore(trainCodes: a, trainFactors: b, testCodes: c, testFactors: d)
/// ```
public func sapScore(trainCodes: [[Double]], trainFactors: [[Int]], testCodes: [[Double]], testFactors: [[Int]]) throws -> Double {
    let (train, test) = try MetricColumns.pair(trainCodes: trainCodes, trainFactors: trainFactors, testCodes: testCodes, testFactors: testFactors)
    return sapScore(train: train, test: test)
}

/// score[code][factor]: test accuracy of the single-code classifiers.
func sapScoreMatrix(train: MetricColumns, test: MetricColumns) -> [[Double]] {
    train.codes.enumerated().map { i, code in
        let x = code.map { [$0] }, xTest = test.codes[i].map { [$0] }
        return train.factors.enumerated().map { j, y in
            let svm = LinearSVC(features: x, labels: y, c: 0.01, balancedClassWeights: true)
            return accuracy(svm.predict(xTest), test.factors[j])
        }
    }
}

func sapScore(train: MetricColumns, test: MetricColumns) -> Double {
    let m = sapScoreMatrix(train: train, test: test)
    let gaps = (0..<train.factors.count).map { j -> Double in
        let column = m.map { $0[j] }.sorted(by: >)
        return column[0] - (column.count > 1 ? column[1] : 0)
    }
    return mean(gaps)
}
