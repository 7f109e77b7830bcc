import ArgumentParser

/// `latent demo ...`: runnable demonstrations.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Runnable demonstrations.",
        subcommands: [DemoEntangle.self])
}
