// `latent data list`: the data-set names the commands accept.
import ArgumentParser
import Foundation
import Latent

struct DataList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The data set names.")

    func run() throws {
        for name in DatasetRegistry.names { print(name) }
    }
}
