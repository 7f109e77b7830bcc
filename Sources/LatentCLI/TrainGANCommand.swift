// `latent train gan`: options to a GAN run config (GANOptions); training is GANRun.train through RunDriver.
import ArgumentParser
import Foundation
import Latent

struct TrainGAN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "Train a GAN (minimax, non-saturating or Wasserstein loss, optional R1 or WGAN-GP penalty; MLP or DCGAN pair) with logs, plots, sample grids and checkpoints.",
        discussion: """
        Writes DIR/config.json, DIR/log.csv (step, both losses, D(x) and D(G(z)), and the penalty when there is one, every step), \
        DIR/images/losses.png and d_outputs.png, DIR/images/samples_stepN.png every --sample-every steps, \
        DIR/checkpoint.safetensors every --checkpoint-every steps and DIR/state.json. A diverged (NaN), \
        saturated or collapsed run stops with a message and exit code 2, keeping the last good checkpoint.
        """)

    @Option(help: "Objective: minimax, non-saturating, or wasserstein (a WGAN critic; use it with --penalty gp:LAMBDA).")
    var loss: String = "non-saturating"
    @Option(help: "Gradient penalty on the discriminator: none, r1:GAMMA (Mescheder et al. 2018) or gp:LAMBDA (WGAN-GP, Gulrajani et al. 2017). Needs --arch mlp (BatchNorm has no second derivative).")
    var penalty: String = "none"
    @Option(help: "Architecture: mlp or dcgan (dcgan needs 28x28 or 64x64 images).")
    var arch: String = "mlp"
    @Option(help: "Data set: 8gaussians (and the other 2-D toys), fashion-mnist, dsprites, shapes-tiny, idx:PATH.")
    var data: String = "8gaussians"
    @Option(help: "Generator steps (default 10000 for 2-D toys, 5000 for images).")
    var steps: Int?
    @Option(help: "Batch size (default 256 for 2-D toys, 64 for images).")
    var batchSize: Int?
    @Option(help: "Discriminator steps per generator step (k; default 1, 5 with --loss wasserstein as in WGAN-GP).")
    var k: Int?
    @Option(help: "Learning rate of both players (Adam; default 2e-4, 1e-4 with --loss wasserstein).")
    var lr: Float?
    @Option(name: .customLong("lr-d"), help: "Discriminator learning rate, if different.")
    var lrD: Float?
    @Option(help: "Adam beta1 (default 0.5, 0 with --loss wasserstein).")
    var beta1: Float?
    @Option(help: "Adam beta2 (default 0.999, 0.9 with --loss wasserstein).")
    var beta2: Float?
    @Option(help: "Latent dimension (default 8 for 2-D toys, 64 for 28x28, 100 for 64x64).")
    var latent: Int?
    @Option(help: "Hidden width of the MLP pair on 2-D toys (three hidden layers).")
    var hidden: Int = 128
    @Option(help: "Write a sample grid every N steps.")
    var sampleEvery: Int = 500
    @Option(help: "Write a checkpoint every N steps.")
    var checkpointEvery: Int = 1000
    @Option(help: "Steps of saturated D (or collapsed samples) before the run is declared failed.")
    var patience: Int = 500
    @Option(help: "Random seed.")
    var seed: UInt64 = 0
    @Option(help: "Run directory.")
    var out: String = "runs/gan"
    @Flag(help: "Continue the run in --out from its last checkpoint up to --steps (bit-for-bit as an uninterrupted run).")
    var resume = false
    @Flag(help: "Replace an existing run in --out.")
    var overwrite = false
    @Option(help: "Threads for the BLAS.")
    var threads: Int?

    func run() throws {
        if let threads { RuntimeInfo.setThreads(threads) }
        guard sampleEvery > 0, checkpointEvery > 0, patience > 0 else {
            throw ValidationError("--sample-every, --checkpoint-every and --patience must be positive")
        }
        let options = GANOptions(data: data, arch: arch, loss: loss, penalty: penalty, steps: steps, batchSize: batchSize, k: k,
                                 lr: lr, lrD: lrD, beta1: beta1, beta2: beta2, latent: latent, hidden: hidden, seed: seed)
        let config = try options.config(command: CommandLine.arguments.joined(separator: " "))
        for note in options.notes { FileHandle.standardError.write(Data("latent train gan: note: \(note)\n".utf8)) }
        let h = config.hyperparameters
        let steps = h["steps"]?.int ?? 0, batch = h["batchSize"]?.int ?? 0, k = h["k"]?.int ?? 1
        let lossKind = h["loss"]?.string ?? loss, penaltyKind = h["penalty"]?.string ?? "none"
        let session = try GANSession(config: config, patience: patience, sampleEvery: sampleEvery)
        if resume, (try? RunDirectory.open(out))?.hasCheckpoint ?? false { print("resuming \(out)") }
        print("latent train gan: \(data), \(arch), \(lossKind) loss, penalty \(penaltyKind), k = \(k), batch \(batch), \(steps) steps -> \(out)")
        print("generator \(session.gan.generator.parameterCount) parameters, discriminator \(session.gan.discriminator.parameterCount)")
        let interruption = Interruption()
        defer { interruption.uninstall() }
        let run: RunDirectory
        do {
            run = try GANRun.train(session, config: config, directory: out,
                                   options: .init(resume: resume, overwrite: overwrite, checkpointEvery: checkpointEvery, interruption: interruption))
        } catch let stop as Interruption.Stopped {
            print("\(stop); checkpoint saved in \(out). Continue with the same command and --resume")
            throw ExitCode(stop.exitCode)
        } catch let problem as RunProblem {
            FileHandle.standardError.write("latent train gan: \(problem)\n".data(using: .utf8)!)
            FileHandle.standardError.write("run directory \(out): log.csv and images/ show the failure; checkpoint.safetensors is from the last checkpoint before it\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        for line in try session.summary(run: run) { print(line) }
        print("wrote \(run.logPath), \(run.imagePath("losses.png")), \(run.imagePath("d_outputs.png")), \(run.imagePath("samples_final.png")), \(run.checkpointPath)")
    }
}

