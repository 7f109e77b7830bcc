// `latent train vae`: options to a VAE run config; training is VAERun.train through RunDriver.
import ArgumentParser
import Foundation
import Latent
import LatentMPI

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

    @Option(help: "vae, beta-vae, annealed-vae, beta-tcvae, factor-vae, dip-vae-1 or dip-vae-2") var model = VAEOptions().model
    @Option(help: "beta of beta-VAE (default 4) and beta-TCVAE (default 6).") var beta: Double?
    @Option(name: .customLong("lambda-od"), help: "DIP-VAE off-diagonal weight (default 10).") var lambdaOD: Double?
    @Option(name: .customLong("lambda-d"), help: "DIP-VAE diagonal weight (default 10 x lambda-od for I, lambda-od for II).") var lambdaD: Double?
    @Option(help: "gamma of AnnealedVAE (default 1000) and FactorVAE (default 30).") var gamma: Double?
    @Option(name: .customLong("c-max"), help: "AnnealedVAE's final capacity in nats (default 25).") var cMax: Double?
    @Option(name: .customLong("c-steps"), help: "Steps over which AnnealedVAE's capacity rises (default 100000, or --steps if fewer).") var cSteps: Int?
    @Option(help: "gaussian, planar:K (amortised) or iaf:K") var posterior = VAEOptions().posterior
    @Option(help: "normal or maf:K") var prior = VAEOptions().prior
    @Option(help: "Data set name (dsprites, noisy-dsprites, color-dsprites, shapes-tiny, fashion-mnist, idx:PATH).") var data = VAEOptions().data
    @Option(help: "Pixel encoding of image sets: scaled, dynamic-binarized or static-binarized.") var encoding = VAEOptions().encoding
    @Option var steps = VAEOptions().steps
    @Option(name: .customLong("batch-size")) var batchSize = VAEOptions().batchSize
    @Option var lr = VAEOptions().lr
    @Option var seed: UInt64 = VAEOptions().seed
    @Option(help: "Latent dimensions.") var latent = VAEOptions().latent
    @Option(help: "auto (conv for 64x64, else mlp), conv or mlp") var network = VAEOptions().network
    @Option(help: "MLP hidden sizes, comma-separated (decoder mirrored).") var hidden = VAEOptions().hidden.map(String.init).joined(separator: ",")
    @Option(help: "bernoulli, gaussian or gaussian-learned") var likelihood = VAEOptions().likelihood
    @Option(name: .customLong("discriminator-hidden"), help: "FactorVAE discriminator hidden sizes.") var discriminatorHidden = VAEOptions().discriminatorHidden.map(String.init).joined(separator: ",")
    @Option(name: .customLong("checkpoint-every")) var checkpointEvery = VAEOptions().checkpointEvery
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
        func sizes(_ s: String, _ name: String) throws -> [Int] {
            let v = s.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !v.isEmpty, v.allSatisfy({ $0 > 0 }) else { throw ValidationError("\(name): expected comma-separated positive sizes, got '\(s)'") }
            return v
        }
        var options = VAEOptions()
        options.model = model; options.beta = beta.map(Float.init); options.gamma = gamma.map(Float.init); options.cMax = cMax.map(Float.init)
        options.cSteps = cSteps; options.lambdaOffDiagonal = lambdaOD.map(Float.init); options.lambdaDiagonal = lambdaD.map(Float.init)
        options.posterior = posterior; options.prior = prior; options.data = data; options.encoding = encoding
        options.steps = steps; options.batchSize = batchSize; options.lr = lr; options.seed = seed; options.latent = latent
        options.network = network; options.hidden = try sizes(hidden, "--hidden"); options.likelihood = likelihood
        options.discriminatorHidden = try sizes(discriminatorHidden, "--discriminator-hidden"); options.checkpointEvery = checkpointEvery
        let (vaeData, config) = try options.make(command: (["latent"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
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
