// `latent demo verify-report`: checks that a report's images exist and decode.
import ArgumentParser
import Latent

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
