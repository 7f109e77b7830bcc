import ArgumentParser
import Foundation
import Latent

/// `latent demo` (no subcommand): the main job. Trains and evaluates one model of
/// each family on built-in data and writes `OUT/report.html`.
struct DemoAll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run every demonstration and write OUT/report.html (the default of `latent demo`).",
        discussion: """
        Stages: a RealNVP on two moons; a periodic-convolution flow with variational dequantization on
        Fashion-MNIST; a beta-VAE and a DIP-VAE-II on dSprites with their disentanglement metrics; a GAN on
        8 gaussians with the optimal-discriminator table; the two likelihood-vs-samples counter-examples with
        two-sample tests; the impossibility construction. Defaults finish in under 10 minutes on 2 cores.
        --tiny runs every stage for a few steps (a smoke test of the whole pipeline and the report).
        """)

    @Option(help: "Output directory (run directories and report.html).") var out = "runs/demo"
    @Flag(help: "A few steps per stage: checks the pipeline and the report, not the models.") var tiny = false
    @Option(help: "Scale every stage's training steps (1 = the defaults).") var scale: Double = 1
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Option(help: "Comma-separated stages to run (moons, fashion, vae, gan, likelihood, entangle); default all.") var only: String?

    func run() throws {
        let stages = only.map { Set($0.split(separator: ",").map(String.init)) }
        let demo: DemoRun
        do { demo = try DemoRun(out: out, tiny: tiny, scale: scale, seed: seed, only: stages) } catch { throw ValidationError("\(error)") }
        try demo.run()
    }
}
