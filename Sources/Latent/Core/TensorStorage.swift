/// The buffer behind a ``Tensor``: 64-byte aligned float32, freed in `deinit`.
///
/// One class owns each native buffer. Tensors share a storage until one of
/// them mutates (copy-on-write, see `Tensor.withUnsafeMutableBufferPointer`).
final class TensorStorage: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Float>

    init(count: Int) {
        check(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        // Allocate at least one element so `base` is always a valid pointer.
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(zeros count: Int) {
        self.init(count: count)
        base.initialize(repeating: 0, count: count)
    }

    convenience init(copying other: TensorStorage) {
        self.init(count: other.count)
        base.initialize(from: other.base, count: other.count)
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }

    var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: base, count: count)
    }
}
