// `latent gan theory`: D* and V(G, D*) = 2 JSD - log 4, measured.
import ArgumentParser
import Foundation
import Latent

struct GANCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan",
        abstract: "GAN theory made measurable.",
        subcommands: [GANTheory.self])
}

struct GANTheory: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theory",
        abstract: "Train D against a fixed G on known 1-D and 2-D densities; compare with D* = pi/(pi+p) and V(G, D*) with 2 JSD - log 4.")

    @Option(help: "Discriminator training steps per case (batch 512 per side, Adam 1e-3 with cosine decay).")
    var steps: Int = 3000
    @Option(help: "Random seed.")
    var seed: UInt64 = 0
    @Flag(help: "One JSON object per case instead of the table.")
    var json = false

    func run() throws {
        let cases: [OptimalDiscriminatorExperiment] = [.bimodalVersusNormal1D, .equal1D, .eightGaussiansVersusNormal2D, .equal2D]
        if !json {
            print("D trained for \(steps) steps against a fixed generator density p; errors on the grid where (pi+p)/2 >= 5% of its peak (max) and weighted by (pi+p)/2 (mean)")
            print("case".padding(toLength: 40, withPad: " ", startingAt: 0) + "  max|D-D*|  mean|D-D*|   V(G,D)   V(G,D*)  2JSD-log4       JSD")
        }
        for (i, e) in cases.enumerated() {
            var rng = RandomGenerator(seed: seed, stream: UInt64(i))
            let r = e.run(steps: steps, rng: &rng)
            if json {
                print(String(format: "{\"case\": \"%@\", \"max_abs_error\": %.6f, \"mean_abs_error\": %.6f, \"v_trained\": %.6f, \"v_optimal\": %.6f, \"two_jsd_minus_log4\": %.6f, \"jsd\": %.6f, \"mass_in_box\": %.6f}",
                             r.name, r.maxAbsError, r.meanAbsError, r.valueTrained, r.valueOptimal, r.twoJSDMinusLog4, r.jsd, r.massInBox))
            } else {
                print(r.name.padding(toLength: 40, withPad: " ", startingAt: 0)
                      + String(format: "  %9.4f  %10.4f  %7.4f  %8.4f  %9.4f  %8.4f", r.maxAbsError, r.meanAbsError, r.valueTrained, r.valueOptimal, r.twoJSDMinusLog4, r.jsd)
                      + "  worst at (" + r.worstPoint.map { String(format: "%.2f", $0) }.joined(separator: ", ") + ")")
            }
        }
        if !json {
            print(String(format: "-log 4 = %.4f; V(G,D) <= V(G,D*) for any D; at pi = p, D* = 1/2 everywhere", -Foundation.log(4.0)))
        }
    }
}

