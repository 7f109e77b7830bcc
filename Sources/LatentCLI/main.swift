import ArgumentParser
import Foundation
import Latent

// One file per command group; register new commands here.
struct LatentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Deep generative models on the CPU: normalizing flows, VAEs, GANs and disentanglement metrics.",
        version: RuntimeInfo.version,
        subcommands: [
            Info.self,
            DataCommand.self,
            Metrics.self,
            Train.self,
            Eval.self,
            Sample.self,
            GANCommand.self,
            TwoSample.self,
            Encode.self,
            Traverse.self,
            Demo.self,
            StudyCommand.self,
        ]
    )
}

RuntimeInfo.useFastestBLASKernels()

// Errors end in one line on stderr ("Error: ..."), without the usage text or a
// stack trace; help and version requests print as usual.
do {
    var command = try LatentCommand.parseAsRoot()
    try command.run()
} catch {
    let code = LatentCommand.exitCode(for: error)
    if code == .success { LatentCommand.exit(withError: error) }
    let message = LatentCommand.message(for: error)
    if !message.isEmpty {
        FileHandle.standardError.write(("Error: " + message.split(separator: "\n").joined(separator: "; ") + "\n").data(using: .utf8)!)
    }
    exit(code.rawValue)
}
