import ArgumentParser

// `latent demo <topic>`: runnable demonstrations of the lectures' points.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runnable demonstrations that print numbers and write pictures.",
        subcommands: [
            DemoLikelihood.self,
        ]
    )
}
