import ArgumentParser
import Foundation
import Latent

struct LatentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latent",
        abstract: "Deep generative models on the CPU: normalizing flows, VAEs, GANs and disentanglement metrics.",
        version: RuntimeInfo.version,
        subcommands: [Info.self]
    )
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Version, kernel ISA chosen at run time, linked BLAS and FFTW, thread count.")

    func run() throws {
        print("latent \(RuntimeInfo.version)")
        print("isa: \(RuntimeInfo.isa)")
        print("cpu avx2+fma: \(RuntimeInfo.cpuSupportsAVX2FMA ? "yes" : "no")")
        print("blas: \(RuntimeInfo.blas)")
        print("fft: \(RuntimeInfo.fft)")
        print("threads: \(RuntimeInfo.threads)")
    }
}

LatentCommand.main()
