// `latent demo`: the group of demo commands; plain `latent demo` runs them all.
import ArgumentParser
import Latent

/// `latent demo ...`: runnable demonstrations.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Runnable demonstrations.",
        subcommands: [DemoAll.self, DemoEntangle.self, DemoLikelihood.self, DemoVerifyReport.self],
        defaultSubcommand: DemoAll.self)
}
