import ArgumentParser

// `latent train <family>`: one subcommand per model family, each in its family's file.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model into a run directory (config.json, checkpoint.safetensors, log.csv, images/, state.json).",
        subcommands: [
            TrainGAN.self,
        ]
    )
}
