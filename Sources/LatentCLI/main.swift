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
            Encode.self,
            Traverse.self,
            Demo.self,
        ]
    )
}

LatentCommand.main()
