import ArgumentParser
import Foundation
import Latent
import LatentMPI

// `latent train vae`, `latent encode DIR`, `latent traverse DIR`, and the VAE side of
// `latent eval DIR` (dispatched from Eval on the run's model kind).

struct TrainVAE: ParsableCommand, UsesMPIRanks {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "Train a VAE (beta-VAE, AnnealedVAE, beta-TCVAE, FactorVAE, DIP-VAE-I/II) into a run directory.",
        discussion: """
        Defaults follow the disentanglement study: Adam lr 1e-4, batch 64, 10 latents, Bernoulli decoder,
        the convolutional pair for 64x64 data and an MLP otherwise. Example:
          latent train vae --model dip-vae-2 --lambda-od 10 --data dsprites --steps 20000 --out runs/dip
        Data-parallel over MPI (vae and beta-vae; each rank computes its rows of every batch of --batch-size):
          mpirun -np 4 latent train vae --model beta-vae --data dsprites --out runs/b4 --data-parallel
        """)

    @Option(help: "vae, beta-vae, annealed-vae, beta-tcvae, factor-vae, dip-vae-1 or dip-vae-2") var model = "vae"
    @Option(help: "beta of beta-VAE (default 4) and beta-TCVAE (default 6).") var beta: Double?
    @Option(name: .customLong("lambda-od"), help: "DIP-VAE off-diagonal weight (default 10).") var lambdaOD: Double?
    @Option(name: .customLong("lambda-d"), help: "DIP-VAE diagonal weight (default 10 x lambda-od for I, lambda-od for II).") var lambdaD: Double?
    @Option(help: "gamma of AnnealedVAE (default 1000) and FactorVAE (default 30).") var gamma: Double?
    @Option(name: .customLong("c-max"), help: "AnnealedVAE's final capacity in nats (default 25).") var cMax: Double?
    @Option(name: .customLong("c-steps"), help: "Steps over which AnnealedVAE's capacity rises (default 100000, or --steps if fewer).") var cSteps: Int?
    @Option(help: "gaussian, planar:K (amortised) or iaf:K") var posterior = "gaussian"
    @Option(help: "normal or maf:K") var prior = "normal"
    @Option(help: "Data set name (dsprites, noisy-dsprites, color-dsprites, shapes-tiny, fashion-mnist, idx:PATH).") var data = "dsprites"
    @Option(help: "Pixel encoding of image sets: scaled, dynamic-binarized or static-binarized.") var encoding = "dynamic-binarized"
    @Option var steps = 10000
    @Option(name: .customLong("batch-size")) var batchSize = 64
    @Option var lr = 1e-4
    @Option var seed: UInt64 = 0
    @Option(help: "Latent dimensions.") var latent = 10
    @Option(help: "auto (conv for 64x64, else mlp), conv or mlp") var network = "auto"
    @Option(help: "MLP hidden sizes, comma-separated (decoder mirrored).") var hidden = "512,256"
    @Option(help: "bernoulli, gaussian or gaussian-learned") var likelihood = "bernoulli"
    @Option(name: .customLong("discriminator-hidden"), help: "FactorVAE discriminator hidden sizes.") var discriminatorHidden = "1000,1000,1000,1000,1000,1000"
    @Option(name: .customLong("checkpoint-every")) var checkpointEvery = 1000
    @Option(name: .customLong("log-every"), help: "Steps between rows of log.csv.") var logEvery = 10
    @Option(help: "Run directory.") var out: String
    @Flag(help: "Replace an existing run directory.") var overwrite = false
    @Flag(help: "Continue from the run directory's checkpoint.") var resume = false
    @Flag(name: .customLong("data-parallel"), help: "Under mpirun: split every batch across the ranks and average the gradients (rank 0 writes the run).") var dataParallel = false

    func validate() throws {
        guard VAEObjective.names.contains(model) else { throw ValidationError("--model must be one of \(VAEObjective.names.joined(separator: ", "))") }
        guard steps > 0, batchSize > 1, lr > 0, latent > 0 else { throw ValidationError("--steps, --lr and --latent must be positive, --batch-size at least 2") }
        _ = try PosteriorKind(parsing: posterior)
        _ = try PriorKind(parsing: prior)
    }

    func run() throws {
        // An AnnealedVAE shorter than its default ramp reaches c_max at its last step.
        let objective = try VAEObjective(name: model, beta: beta.map(Float.init), gamma: gamma.map(Float.init), cMax: cMax.map(Float.init),
                                         iterationThreshold: cSteps ?? Swift.min(VAEObjective.Defaults.iterationThreshold, steps),
                                         lambdaOffDiagonal: lambdaOD.map(Float.init), lambdaDiagonal: lambdaD.map(Float.init))
        guard let enc = PixelEncoding(rawValue: encoding) else { throw ValidationError("--encoding: unknown encoding '\(encoding)'") }
        let vaeData = try VAEData(name: data, batchSize: batchSize, encoding: enc, seed: seed)
        let shape = vaeData.observationShape
        let is64 = shape.count == 3 && shape[1] == 64 && shape[2] == 64
        let net: VAESpec.Network
        switch network {
        case "auto": net = is64 ? .conv64 : .mlp
        case "conv":
            guard is64 else { throw ValidationError("--network conv needs 64x64 images; \(data) has \(shape)") }
            net = .conv64
        case "mlp": net = .mlp
        default: throw ValidationError("--network must be auto, conv or mlp")
        }
        func sizes(_ s: String, _ name: String) throws -> [Int] {
            let v = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !v.isEmpty, v.allSatisfy({ $0 > 0 }) else { throw ValidationError("\(name): expected comma-separated positive sizes, got '\(s)'") }
            return v
        }
        guard let lik = LikelihoodKind(rawValue: likelihood) else { throw ValidationError("--likelihood must be bernoulli, gaussian or gaussian-learned") }
        let spec = VAESpec(inputShape: shape, latent: latent, network: net, hidden: try sizes(hidden, "--hidden"), likelihood: lik,
                           posterior: try PosteriorKind(parsing: posterior), prior: try PriorKind(parsing: prior),
                           discriminatorHidden: try sizes(discriminatorHidden, "--discriminator-hidden"))
        let config = VAERun.config(objective: objective, spec: spec, data: vaeData, steps: steps, batchSize: batchSize, learningRate: lr,
                                   seed: seed, command: (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
                                   checkpointEvery: checkpointEvery)
        let world = try MPIWorld.shared()
        if world.size > 1 && !dataParallel {
            throw ValidationError("started as \(world.size) MPI ranks: pass --data-parallel to split the batches across them")
        }
        let parallel = dataParallel ? DataParallel(world) : nil
        let interruption = Interruption()
        defer { interruption.uninstall() }
        let run: RunDirectory
        do {
            guard logEvery > 0 else { throw ValidationError("--log-every must be positive, got \(logEvery)") }
            (run, _) = try VAERun.train(config: config, data: vaeData, directory: out, resume: resume, overwrite: overwrite,
                                        logEvery: logEvery, interruption: interruption, parallel: parallel)
        } catch let stop as Interruption.Stopped {
            print("\(stop); checkpoint saved in \(out). Continue with the same command and --resume")
            throw ExitCode(stop.exitCode)
        }
        guard parallel?.isRoot ?? true else { return }
        if let parallel, parallel.size > 1 {
            print("data-parallel over \(parallel.size) ranks: \(parallel.allreduceCalls) allreduces of \(parallel.lastMessageFloats) floats, \(String(format: "%.3f", parallel.allreduceSeconds)) s in allreduce on rank 0")
        }
        print("wrote \(run.path): config.json, checkpoint.safetensors, log.csv, images/{reconstructions,samples,traversal,loss}.png")
    }
}

/// `latent eval DIR` for VAE runs: ELBO, IWAE NLL and the ELBO-surgery terms.
func evaluateVAERun(_ dir: String, points: Int, importanceSamples: Int) throws {
    let (_, config, model, data) = try VAERun.open(dir)
    let e = try VAERun.evaluate(model: model, data: data, points: points, importanceSamples: importanceSamples, seed: config.seed &+ 1)
    let encoding = config.data.preprocessing["encoding"]?.string ?? "?"
    print("\(config.model.kind) on \(config.data.name) (\(encoding)), \(e.points) held-out points, nats per example")
    print(String(format: "  ELBO                      %10.4f", e.elbo))
    print(String(format: "  IWAE NLL (k = %4d)       %10.4f   (upper bound on -log p(x))", e.importanceSamples, e.iwaeNLL))
    if let s = e.surgery {
        print("  ELBO surgery (aggregate posterior of the \(s.points) points, exact mixture density; one sample per point):")
        print(String(format: "    reconstruction E[log p(x|z)]  %10.4f", s.reconstruction))
        print(String(format: "    mutual information I_q[x,z]   %10.4f   (<= log n = %.4f)", s.mutualInformation, s.logN))
        print(String(format: "    marginal KL(q(z) || p(z))     %10.4f", s.marginalKL))
        print(String(format: "    recon - MI - marginal KL      %10.4f   vs ELBO %.4f (MC standard error %.4f)", s.surgeryELBO, s.averageELBO, s.klStandardError))
    } else {
        print("  ELBO surgery: not available with a flow posterior")
    }
}

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode a data set with a VAE run into codes.npy (encoder means, or posterior samples with --sample).",
        discussion: """
        Without --n: every example in the data set's order (a ground-truth set's factor grid, last factor fastest).
        With --n: N ground-truth points with factors sampled from --seed (or the first N images of an image set).
        --factors writes the int64 class indices of each row, for `latent metrics`.
        """)
    @Argument(help: "Run directory.") var dir: String
    @Option(help: "Data set (default: the run's).") var data: String?
    @Option var n: Int?
    @Option var seed: UInt64 = 0
    @Flag(help: "Posterior samples z ~ q(z|x) instead of means.") var sample = false
    @Option(help: "Output .npy of codes.") var out: String
    @Option(help: "Output .npy of int64 factor classes (ground-truth sets).") var factors: String?

    func run() throws {
        let (_, config, model, runData) = try VAERun.open(dir)
        let vaeData = data.map { name in try? VAEData(name: name, batchSize: 64, encoding: .scaled, seed: seed) } ?? runData
        guard let vaeData else { throw ValidationError("cannot load data set '\(data!)'") }
        var rng = RandomGenerator(seed: seed, stream: 0x454E_434F)
        var rows: [[Int]]? = nil
        let x: Tensor
        if let g = vaeData.groundTruth {
            let f = n.map { g.sampleFactors($0, rng: &rng) } ?? (0..<g.gridSize).map { g.factors(atIndex: $0) }
            rows = f
            x = g.observations(fromFactors: f, rng: &rng)
        } else {
            guard factors == nil else { throw ValidationError("--factors needs a ground-truth data set; \(vaeData.name) has no factors") }
            let images = vaeData.batcher!.images
            let k = Swift.min(n ?? images.count, images.count)
            x = ImageBatcher(images: images, batchSize: 1, encoding: .scaled, shuffle: false, seed: seed).batch(Array(0..<k), rng: &rng).x
        }
        guard Array(x.shape.dropFirst()) == (try VAESpec(architecture: config.model.architecture)).inputShape else {
            throw ValidationError("data \(vaeData.name) has images \(Array(x.shape.dropFirst())); the run's model expects \((try VAESpec(architecture: config.model.architecture)).inputShape)")
        }
        let codes = sample ? model.encodeSamples(x, rng: &rng) : model.encodeMeans(x)
        try NDArray(codes).writeNpy(out)
        if let factors, let rows {
            let k = rows.first?.count ?? 0
            try NDArray(shape: [rows.count, k], values: .int64(rows.flatMap { $0.map(Int64.init) })).writeNpy(factors)
        }
        print("wrote \(out) (\(codes.shape[0]) x \(codes.shape[1]) \(sample ? "samples" : "means"))" + (factors.map { " and \($0)" } ?? ""))
    }
}

struct Traverse: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Latent traversals of a VAE run as a PNG: one row per latent, one column per value.")
    @Argument(help: "Run directory.") var dir: String
    @Option(help: "Output PNG.") var out = "traversal.png"
    @Option(help: "Examples whose encoder means are traversed.") var examples = 1
    @Option(help: "Values per latent.") var steps = 9
    @Option(help: "Largest |value|: latents sweep [-range, range].") var range: Float = 2.5
    @Option var seed: UInt64 = 0

    func run() throws {
        let (_, _, model, data) = try VAERun.open(dir)
        let (x, _) = try data.evaluationSet(examples, seed: seed)
        try VAEPictures.traversalGrid(model, x, range: -range...range, steps: steps).writePNG(out)
        print("wrote \(out) (\(model.latentDimensions) latents x \(steps) values, \(x.shape[0]) example(s))")
    }
}
