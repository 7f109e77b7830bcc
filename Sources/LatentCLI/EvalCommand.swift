// `latent eval`: held-out NLL of a flow run, ELBO / IWAE / ELBO surgery of a VAE run.
import ArgumentParser
import Foundation
import Latent
import LatentMPI

/// Opens a flow run and loads its checkpoint.
func openFlowRun(_ dir: String) throws -> (RunDirectory, FlowTrainer) {
    let run = try RunDirectory.open(dir)
    let config = try run.config()
    guard FlowTrainer.kinds.contains(config.model.kind) else {
        throw LatentError("\(dir) holds a '\(config.model.kind)' run; this command handles flows (\(FlowTrainer.kinds.joined(separator: ", "))) so far")
    }
    let trainer = try FlowTrainer(config: config)
    try trainer.restore(from: run, optimizer: false)
    return (run, trainer)
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained run: held-out NLL of a flow (nats and bits/dim); ELBO, IWAE NLL and ELBO surgery of a VAE.",
        discussion: "Image runs print the dequantization bound on -log P(x) under uniform noise, and for runs trained with variational dequantization also under the trained q(u|x), on the same model and test images.")
    @Argument(help: "Run directory.") var dir: String
    @Option(parsing: .unconditional, help: "Held-out examples (default: 10000 points or the whole test set for flows, 1000 for VAEs).") var n: Int?
    @Option(help: "VAE runs: importance samples of the IWAE bound.") var k = 100

    func run() throws {
        if let n, n <= 0 { throw LatentError("--n must be positive, got \(n)") }
        if VAEObjective.names.contains(try RunDirectory.open(dir).config().model.kind) {
            return try evaluateVAERun(dir, points: n ?? 1000, importanceSamples: k)
        }
        let (_, trainer) = try openFlowRun(dir)
        let e = trainer.evaluate(maxCount: n)
        let name = trainer.data.name
        if trainer.data.isImages {
            print(String(format: "held-out bound, uniform dequantization:     %.2f nats/image (%.4f bits/dim), %d test images of %@",
                         e.nats, e.bitsPerDim, e.count, name))
            if let v = e.variationalNats, let b = e.variationalBitsPerDim {
                print(String(format: "held-out bound, variational dequantization: %.2f nats/image (%.4f bits/dim), same model and images", v, b))
            }
        } else {
            print(String(format: "held-out NLL: %.4f nats (%.4f bits/dim), %d points of %@", e.nats, e.bitsPerDim, e.count, name))
        }
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
