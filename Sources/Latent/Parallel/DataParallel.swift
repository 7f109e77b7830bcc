import Foundation

/// The collective operations data-parallel training needs, over a group of processes.
///
/// Latent itself never links MPI: the `LatentMPI` module implements this protocol over
/// MPI_COMM_WORLD, and ``SingleProcess`` is the group of one. Every process must call the
/// collectives in the same order.
public protocol Communicator: AnyObject {
    /// This process's index, 0..<size.
    var rank: Int { get }
    /// Processes in the group.
    var size: Int { get }
    /// Overwrites `buffer` on every process with root's.
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws
    /// Replaces `buffer` on every process by the elementwise sum over the processes.
    func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
}

/// The group of one process: collectives leave the buffers as they are.
public final class SingleProcess: Communicator {
    /// The group of this process alone.
    public init() {}
    /// Always 0, the only rank.
    public var rank: Int { 0 }
    /// Always 1: the group is this process.
    public var size: Int { 1 }
    /// Does nothing: the only process is the root, so `buffer` already holds root's values.
    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {}
    /// Does nothing: the sum over one process is its own `buffer`.
    public func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {}
}

/// Synchronous data-parallel training: every process holds the whole model, computes its
/// slice of each global batch, and the gradients are averaged before every optimizer step,
/// so N processes take the same steps as one process with the same global batch (up to the
/// order of float summation).
///
/// - All processes start from the same parameter values: ``DataParallel/broadcastParameters(_:)`` sends rank 0's.
/// - Each global batch of B rows is split into contiguous blocks (``DataParallel/rows(rank:size:batchSize:)``).
/// - Gradients and the logged loss terms go through ONE fused allreduce per step: each process
///   packs gradient x (its rows / B) and term x (its rows / B) into one flat buffer, the sum of
///   which is the gradient and the term of the whole batch (the losses are batch means).
///
/// ```swift
/// let parallel = DataParallel(communicator)          // e.g. LatentMPI's try MPIWorld.shared()
/// try parallel.broadcastParameters(trainer.checkpointParameters.map(\.parameter))
/// try parallel.attach(to: trainer)
/// for step in 0..<steps { try trainer.step(data.batch(step: step, rng: &rng), rng: &rng) }
/// ```
///
/// Only losses that are means of per-example terms split this way
/// (``VAEObjective/isMeanOverExamples``). Layers whose forward pass couples the rows of a batch
/// (BatchNorm's batch statistics) would see only the local rows: such models train but do not
/// match one process. Latent's VAEs have no BatchNorm.
public final class DataParallel {
    /// The process group the broadcast and the gradient allreduce go through.
    public let communicator: Communicator
    /// Total wall-clock time spent in the gradient allreduce, in seconds, for benchmarks.
    public private(set) var allreduceSeconds = 0.0
    /// The number of gradient allreduces so far (one per training step), for benchmarks.
    public private(set) var allreduceCalls = 0
    /// Floats sent per allreduce in the last step (gradients + logged terms).
    public private(set) var lastMessageFloats = 0
    private var buffer: [Float] = []

    /// Data-parallel training over the processes of `communicator`.
    public init(_ communicator: Communicator) { self.communicator = communicator }

    /// This process's index in the group, 0..<size.
    public var rank: Int { communicator.rank }
    /// The number of processes in the group.
    public var size: Int { communicator.size }
    /// Whether this process writes the run directory (rank 0).
    public var isRoot: Bool { communicator.rank == 0 }

    /// The contiguous block of rows 0..<batchSize that `rank` of `size` computes: the first
    /// batchSize % size ranks take one row more than the rest.
    public static func rows(rank: Int, size: Int, batchSize: Int) -> Range<Int> {
        check(size > 0 && rank >= 0 && rank < size, "DataParallel.rows: rank \(rank) of \(size)")
        let base = batchSize / size, extra = batchSize % size
        let start = rank * base + Swift.min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// Copies rank 0's values into every process's parameters, in one broadcast of all of them
    /// (nothing to do in a group of one).
    public func broadcastParameters(_ parameters: [Parameter]) throws {
        guard size > 1 else { return }
        var flat: [Float] = []
        flat.reserveCapacity(parameters.reduce(0) { $0 + $1.value.count })
        for p in parameters { p.value.withUnsafeBufferPointer { flat.append(contentsOf: $0) } }
        try flat.withUnsafeMutableBufferPointer { try communicator.broadcast($0, root: 0) }
        var offset = 0
        for p in parameters {
            let n = p.value.count
            p.assign(Tensor(shape: p.shape, scalars: Array(flat[offset..<(offset + n)])))
            offset += n
        }
    }

    /// Replaces each gradient by the batch gradient and each value by the batch value, given
    /// that this process computed them as means over `rows` of a batch of `batchSize`.
    /// One allreduce over [gradients..., values...] (values in sorted key order).
    public func average(gradientsOf parameters: [Parameter], values: inout [String: Double], rows: Range<Int>, batchSize: Int) throws {
        let weight = Float(rows.count) / Float(batchSize)
        let keys = values.keys.sorted()
        let total = parameters.reduce(0) { $0 + $1.value.count } + keys.count
        if buffer.count != total { buffer = [Float](repeating: 0, count: total) }
        var offset = 0
        buffer.withUnsafeMutableBufferPointer { b in
            for p in parameters {
                let n = p.value.count
                if let g = p.grad {
                    g.withUnsafeBufferPointer { src in for i in 0..<n { b[offset + i] = src[i] * weight } }
                } else {
                    for i in 0..<n { b[offset + i] = 0 }
                }
                offset += n
            }
            for (i, k) in keys.enumerated() { b[offset + i] = Float(values[k]!) * weight }
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        try buffer.withUnsafeMutableBufferPointer { try communicator.allreduceSum($0) }
        allreduceSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        allreduceCalls += 1
        lastMessageFloats = total
        offset = 0
        for p in parameters {
            let n = p.value.count
            // A parameter without a gradient here has none on any rank (same graph everywhere).
            if p.grad != nil { p.grad = Tensor(shape: p.shape, scalars: Array(buffer[offset..<(offset + n)])) }
            offset += n
        }
        for (i, k) in keys.enumerated() { values[k] = Double(buffer[offset + i]) }
    }

    /// Installs the trainer's hooks: this rank's rows of every batch, and the fused gradient
    /// average before each optimizer step. Throws if the objective does not split over rows.
    /// A failing allreduce ends the process (the other ranks are stuck in theirs anyway;
    /// under mpirun the launcher then ends the job).
    public func attach(to trainer: VAETrainer) throws {
        guard trainer.objective.isMeanOverExamples else {
            throw LatentError("--data-parallel needs a loss that is a mean over examples (vae, beta-vae); \(trainer.objective.name) couples the examples of a batch, so its gradient does not split across processes")
        }
        let (rank, size) = (self.rank, self.size)
        trainer.localRows = { DataParallel.rows(rank: rank, size: size, batchSize: $0) }
        trainer.gradientHook = { [unowned self] parameters, rows, batchSize, values in
            do {
                try self.average(gradientsOf: parameters, values: &values, rows: rows, batchSize: batchSize)
            } catch {
                FileHandle.standardError.write("Error (rank \(rank) of \(size)): gradient allreduce failed: \(error)\n".data(using: .utf8)!)
                exit(70)
            }
        }
    }
}
