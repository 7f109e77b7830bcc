import Testing
@testable import Latent

/// Forward values of tensor ops against direct Double computations.
@Suite struct OpsTests {
    @Test func broadcastingArithmetic() {
        let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = Tensor([10, 20, 30])
        expectClose(a + b, [11, 22, 33, 14, 25, 36])
        expectClose(a * Tensor(shape: [2, 1], scalars: [2, 3]), [2, 4, 6, 12, 15, 18])
        expectClose(a / 2 - 1, [-0.5, 0, 0.5, 1, 1.5, 2])
        expectClose((a * b).sum(axis: 1), [140, 320])
        expectClose(a.max(axis: 0), [4, 5, 6])
        expectClose(a.mean(axis: 1, keepingDimension: true), [2, 5])
        #expect(a.mean(axis: 1, keepingDimension: true).shape == [2, 1])
    }

    @Test func layout() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        expectClose(x.transposed(), [1, 4, 2, 5, 3, 6])
        expectClose(x.slice(axis: 1, 1..<3), [2, 3, 5, 6])
        expectClose(x.flipped(axes: [1]), [3, 2, 1, 6, 5, 4])
        expectClose(x.flipped(axes: [0, 1]), [6, 5, 4, 3, 2, 1])
        expectClose(concatenate([x, x * 10], axis: 0), [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60])
        expectClose(concatenate([x, x * 10], axis: 1), [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60])
        expectClose(x.gathering(rows: [1, 1, 0]), [4, 5, 6, 4, 5, 6, 1, 2, 3])
        expectClose(Tensor.oneHot([2, 0], classes: 3), [0, 0, 1, 1, 0, 0])
        expectClose(x.clamped(min: 2, max: 4), [2, 2, 3, 4, 4, 4])
        expectClose(`where`(x.greaterMask(3), x, Tensor(0)), [0, 0, 0, 4, 5, 6])
        let y = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let p = y.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p[3, 1, 2] == y[1, 2, 3])
    }

    @Test func matmulAgainstTripleLoop() {
        for (m, k, n) in [(1, 1, 1), (7, 2, 9), (16, 16, 17), (33, 40, 5), (3, 100, 2)] {
            let a = randomTensor([m, k], seed: UInt64(m * 100 + k)), b = randomTensor([k, n], seed: UInt64(n))
            var ref = [Double](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { for p in 0..<k { ref[i * n + j] += Double(a[i, p]) * Double(b[p, j]) } } }
            expectClose(matmul(a, b), ref, atol: 1e-5, rtol: 1e-5, "matmul \(m)x\(k)x\(n)")
            expectClose(matmul(a.transposed(), b.transposed(), transposeA: true, transposeB: true), ref, atol: 1e-5, rtol: 1e-5, "matmul TT \(m)x\(k)x\(n)")
        }
    }

    @Test func noTapeInEvaluation() {
        let w = Tensor([1, 2]).tracked()
        let y = withoutGradients { (w * w).sum() }
        #expect(!y.isTracked)
        #expect((w * w).sum().isTracked)
        #expect(!(Tensor([1]) * 2).isTracked)
    }

    @Test func gradientAccumulatesOverReuse() {
        let x = Tensor([3]).tracked()
        let y = (x * x + x * 2).sum()        // dy/dx = 2x + 2 = 8
        #expect(gradients(of: y, wrt: [x])[0].scalars == [8])
        let unrelated = Tensor([1]).tracked()
        #expect(gradients(of: y, wrt: [unrelated])[0].scalars == [0])
    }
}
