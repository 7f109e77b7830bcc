// `latent train`: the group of training commands, one per model family.
import ArgumentParser
import Foundation
import Latent

/// Training of every model family; each family adds its subcommand here.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Train a model into a run directory.", subcommands: [TrainFlow.self, TrainVAE.self, TrainGAN.self])
}
