// `latent data`: the group of data-set commands (list, show, export).
import ArgumentParser
import Foundation
import Latent

/// `latent data show|export|list`: look at and export what models train on.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Show, export and list the data sets (names as in `latent data list`).",
        subcommands: [DataShow.self, DataExport.self, DataList.self]
    )
}
