import Foundation

/// All six disentanglement metrics of a VAE run, with its encoder means as the representation.
public enum VAEMetrics: Sendable {
    /// MIG, DCI, SAP, modularity/explicitness on `trainSize` / `testSize` sampled ground-truth
    /// points, and the BetaVAE and FactorVAE scores (`_train` / `_eval` accuracies) with the same
    /// numbers of votes, batch 64. `data` defaults to the run's data set.
    public static func scores(run directory: String, data: String? = nil, trainSize: Int = 10_000, testSize: Int = 5_000,
                              bins: Int = 20, seed: UInt64 = 0) throws -> [(key: String, value: Double)] {
        let (_, config, model, _) = try VAERun.open(directory)
        let dataset = try DatasetRegistry.groundTruthDataset(named: data ?? config.data.name)
        let spec = try VAESpec(architecture: config.model.architecture)
        guard dataset.observationShape == spec.inputShape else {
            throw LatentError("data set `\(dataset.name)` has observations \(dataset.observationShape); the run's model expects \(spec.inputShape)")
        }
        return try scores(model: model, dataset: dataset, trainSize: trainSize, testSize: testSize, bins: bins, seed: seed)
    }

    /// The same scores for a model in memory, on `trainSize` / `testSize` points sampled from `dataset`
    /// with `seed`.
    public static func scores(model: VAE, dataset: any GroundTruthDataset, trainSize: Int, testSize: Int, bins: Int = 20,
                              seed: UInt64 = 0) throws -> [(key: String, value: Double)] {
        var rng = RandomGenerator(seed: seed, stream: 0x4D45_5452)
        let represent: (Tensor) -> Tensor = { model.encodeMeans($0) }
        func split(_ n: Int) -> (Tensor, Tensor) {
            let f = dataset.sampleFactors(n, rng: &rng)
            let x = dataset.observations(fromFactors: f, rng: &rng)
            return (represent(x), Tensor(shape: [n, dataset.numberOfFactors], scalars: f.flatMap { $0.map(Float.init) }))
        }
        let (trainCodes, trainFactors) = split(trainSize)
        let (testCodes, testFactors) = split(testSize)
        var out = try DisentanglementScores(trainCodes: trainCodes, trainFactors: trainFactors, testCodes: testCodes,
                                            testFactors: testFactors, bins: bins).dictionary
        let beta = betaVAEScore(dataset: dataset, representation: represent, rng: &rng, trainSize: trainSize, evalSize: testSize)
        let factor = factorVAEScore(dataset: dataset, representation: represent, rng: &rng, trainSize: trainSize, evalSize: testSize,
                                    varianceSampleSize: trainSize)
        out += [("beta_vae_score_train", beta.trainAccuracy), ("beta_vae_score_eval", beta.evalAccuracy),
                ("factor_vae_score_train", factor.trainAccuracy), ("factor_vae_score_eval", factor.evalAccuracy),
                ("factor_vae_active_dimensions", Double(factor.activeDimensions))]
        return out
    }
}
