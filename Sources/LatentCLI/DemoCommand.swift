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

/// `latent demo verify-report PAGE`: every image a report references exists and decodes.
struct DemoVerifyReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-report",
        abstract: "Check that every image an HTML report references exists beside it and decodes as PNG.")
    @Argument(help: "The report.html to check.") var page: String

    func run() throws {
        let problems = try HTMLReport.verifyImages(ofPage: page)
        guard problems.isEmpty else { throw LatentError("\(page): " + problems.joined(separator: "; ")) }
        print("\(page): every referenced image exists and decodes")
    }
}
