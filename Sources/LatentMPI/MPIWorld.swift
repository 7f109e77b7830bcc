import CLatentMPI
import Foundation
import Latent

/// An MPI call that returned an error code.
public struct MPIError: Error, CustomStringConvertible {
    public let code: Int32
    public let operation: String
    public var description: String {
        var text = [CChar](repeating: 0, count: 512)
        lt_mpi_error_string(&text, Int32(text.count), code)
        return "MPI \(operation) failed: \(String(cString: text)) (code \(code))"
    }
}

/// The processes of this job (MPI_COMM_WORLD), or this process alone when it was not
/// started by an MPI launcher.
///
/// `MPIWorld.shared` initialises MPI once, on first use, only when the process was launched
/// by `mpirun`/`mpiexec` (or `srun`); a plain process is rank 0 of 1 and never calls
/// MPI_Init, so it starts no daemon and prints nothing. MPI_Finalize runs at exit.
///
/// ```swift
/// let world = try MPIWorld.shared()
/// var grads: [Float] = ...
/// try world.allreduce(&grads, .mean)         // same values on every rank
/// if let rows = try world.gather(myRows) { /* rank 0: one entry per rank */ }
/// ```
public final class MPIWorld: Communicator {
    /// Whether MPI is running (launched and initialised); false for a plain process.
    public let isMPI: Bool
    public let rank: Int
    public let size: Int

    public enum Reduction { case sum, mean }

    nonisolated(unsafe) private static var instance: MPIWorld?

    /// The world, initialising MPI on the first call when launched under MPI.
    public static func shared() throws -> MPIWorld {
        if let instance { return instance }
        let world = try MPIWorld()
        instance = world
        return world
    }

    /// Whether the environment says an MPI launcher started this process.
    public static var isLaunched: Bool { lt_mpi_launched() != 0 }

    private init() throws {
        if lt_mpi_launched() != 0 {
            let status = lt_mpi_init()
            if status != 0 { throw MPIError(code: status, operation: "MPI_Init") }
            isMPI = true
        } else {
            isMPI = false
        }
        rank = Int(lt_mpi_rank())
        size = Int(lt_mpi_size())
    }

    private func check(_ status: Int32, _ operation: String) throws {
        if status != 0 { throw MPIError(code: status, operation: operation) }
    }

    /// Wall-clock seconds (MPI_Wtime under MPI).
    public var time: Double { isMPI ? lt_mpi_wtime() : Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Waits until every rank has called it.
    public func barrier() throws {
        guard isMPI else { return }
        try check(lt_mpi_barrier(), "MPI_Barrier")
    }

    /// Root's values into `buffer` on every rank (same count everywhere).
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int = 0) throws {
        guard isMPI, let base = buffer.baseAddress else { return }
        try check(lt_mpi_broadcast_f32(base, Int64(buffer.count), Int32(root)), "MPI_Bcast")
    }

    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        try values.withUnsafeMutableBufferPointer { try broadcast($0, root: root) }
    }

    /// Root's bytes on every rank (the other ranks' arguments are ignored; any length).
    public func broadcast(_ bytes: [UInt8], root: Int = 0) throws -> [UInt8] {
        guard isMPI, size > 1 else { return bytes }
        var count = Int64(bytes.count)
        try withUnsafeMutableBytes(of: &count) { c in
            try check(lt_mpi_broadcast_bytes(c.baseAddress!.assumingMemoryBound(to: UInt8.self), 8, Int32(root)), "MPI_Bcast")
        }
        var out = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count))
        try out.withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            try check(lt_mpi_broadcast_bytes(base, Int64(b.count), Int32(root)), "MPI_Bcast")
        }
        return out
    }

    /// Elementwise sum over the ranks, in place on every rank.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard isMPI, size > 1, let base = buffer.baseAddress else { return }
        try check(lt_mpi_allreduce_sum_f32(base, Int64(buffer.count)), "MPI_Allreduce")
    }

    /// Elementwise sum or mean over the ranks, in place on every rank.
    public func allreduce(_ values: inout [Float], _ reduction: Reduction = .sum) throws {
        try values.withUnsafeMutableBufferPointer { try allreduceSum($0) }
        if reduction == .mean && size > 1 {
            let s = Float(size)
            for i in values.indices { values[i] /= s }
        }
    }

    public func allreduce(_ values: inout [Double], _ reduction: Reduction = .sum) throws {
        if isMPI && size > 1 {
            try values.withUnsafeMutableBufferPointer { b in
                guard let base = b.baseAddress else { return }
                try check(lt_mpi_allreduce_sum_f64(base, Int64(b.count)), "MPI_Allreduce")
            }
        }
        if reduction == .mean && size > 1 {
            let s = Double(size)
            for i in values.indices { values[i] /= s }
        }
    }

    /// Every rank's bytes (any length each) on `root`, in rank order; nil on the other ranks.
    public func gather(_ bytes: [UInt8], root: Int = 0) throws -> [[UInt8]]? {
        guard isMPI, size > 1 else { return [bytes] }
        var counts = [Int64](repeating: 0, count: rank == root ? size : 0)
        try counts.withUnsafeMutableBufferPointer { c in
            try check(lt_mpi_gather_count(c.baseAddress, Int64(bytes.count), Int32(root)), "MPI_Gather")
        }
        var offsets = [Int64](repeating: 0, count: counts.count)
        for r in counts.indices.dropFirst() { offsets[r] = offsets[r - 1] + counts[r - 1] }
        var received = [UInt8](repeating: 0, count: Int(counts.reduce(0, +)))
        try received.withUnsafeMutableBufferPointer { out in
            try bytes.withUnsafeBufferPointer { send in
                try check(lt_mpi_gather_bytes(out.baseAddress, counts, offsets, send.baseAddress, Int64(bytes.count), Int32(root)), "MPI_Gatherv")
            }
        }
        guard rank == root else { return nil }
        return counts.indices.map { r in Array(received[Int(offsets[r])..<Int(offsets[r] + counts[r])]) }
    }

    /// Every rank's Doubles on `root`, in rank order; nil on the other ranks.
    public func gather(_ values: [Double], root: Int = 0) throws -> [[Double]]? {
        let bytes = values.withUnsafeBytes { Array($0) }
        return try gather(bytes, root: root)?.map { b in
            b.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        }
    }

    /// Prints `message` on stderr with this rank's name and ends the whole job with `code`
    /// (MPI_Abort: the launcher stops every other rank instead of leaving them waiting).
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        let who = isMPI ? "rank \(rank) of \(size)" : "latent"
        FileHandle.standardError.write("Error (\(who)): \(message)\n".data(using: .utf8)!)
        lt_mpi_abort(code)
        exit(code)
    }
}
