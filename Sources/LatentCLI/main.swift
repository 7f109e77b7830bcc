import ArgumentParser
import Foundation
import Latent
import LatentMPI

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

/// Commands that use the ranks when started by `mpirun -np N` (N > 1); every other command
/// refuses to run N copies of itself side by side.
protocol UsesMPIRanks {}

RuntimeInfo.useFastestBLASKernels()

// Under mpirun, MPI starts before parsing so that any rank's error can end the whole job
// (MPI_Abort) instead of leaving the other ranks waiting in a collective. A plain process
// never initialises MPI.
let world: MPIWorld
do {
    world = try MPIWorld.shared()
} catch {
    FileHandle.standardError.write("Error: \(error)\n".data(using: .utf8)!)
    exit(70)
}

// Errors end in one line on stderr ("Error: ..."), without the usage text or a
// stack trace; help and version requests print as usual.
do {
    var command = try LatentCommand.parseAsRoot()
    if world.size > 1 && !(command is UsesMPIRanks) {
        throw ValidationError("started as \(world.size) MPI ranks, but this command runs in one process; under mpirun use `latent train vae --data-parallel` or `latent study`")
    }
    try command.run()
} catch {
    let code = LatentCommand.exitCode(for: error)
    if code == .success { LatentCommand.exit(withError: error) }
    let message = LatentCommand.message(for: error)
    if world.size > 1 {
        // One rank failing ends every rank, with the reason on stderr.
        world.abort(message.isEmpty ? "stopped (exit code \(code.rawValue))" : message.split(separator: "\n").joined(separator: "; "), code: code.rawValue)
    }
    if !message.isEmpty {
        FileHandle.standardError.write(("Error: " + message.split(separator: "\n").joined(separator: "; ") + "\n").data(using: .utf8)!)
    }
    exit(code.rawValue)
}
