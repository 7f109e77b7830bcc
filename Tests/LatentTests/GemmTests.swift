import CLatent
import Foundation
import Testing
@testable import Latent

/// Latent's own AVX-512 GEMM against a double-precision triple loop: every
/// transpose pair, awkward sizes around the 12 x 32 tile and the 256-deep K
/// slices, leading dimensions wider than the matrix, alpha and beta (beta == 0
/// must not read C, which starts as NaN there), one and two threads.
@Suite struct GemmTests {
    func values(_ n: Int, seed: UInt64) -> [Float] {
        var rng = RandomGenerator(seed: seed, stream: 9)
        return rng.normal([max(n, 1)]).scalars.prefix(n).map { $0 }
    }

    /// C = alpha op(A) op(B) + beta C in double, row-major with leading dimensions.
    func reference(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: [Float], _ lda: Int,
                   _ b: [Float], _ ldb: Int, _ beta: Float, _ c: [Float], _ ldc: Int) -> [Float] {
        var out = c
        for i in 0..<m { for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let x = ta ? a[p * lda + i] : a[i * lda + p]
                let y = tb ? b[j * ldb + p] : b[p * ldb + j]
                s += Double(x) * Double(y)
            }
            let prior = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            out[i * ldc + j] = Float(Double(alpha) * s + prior)
        } }
        return out
    }

    func check(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, alpha: Float, beta: Float, pad: Int, threads: Int) {
        let (ar, ac) = ta ? (k, m) : (m, k), (br, bc) = tb ? (n, k) : (k, n)
        let lda = ac + pad, ldb = bc + pad, ldc = n + pad
        let a = values(ar * lda, seed: UInt64(m * 31 + k)), b = values(br * ldb, seed: UInt64(n * 17 + k))
        var c = values(m * ldc, seed: 5)
        if beta == 0 { c = c.map { _ in Float.nan } }
        let expect = reference(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
        let saved = lt_threads()
        lt_set_threads(Int32(threads))
        defer { lt_set_threads(saved) }
        lt_sgemm_f32_avx512(ta ? 1 : 0, tb ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, &c, Int32(ldc))
        for i in 0..<m { for j in 0..<n {
            let (x, y) = (c[i * ldc + j], expect[i * ldc + j])
            if !(Swift.abs(x - y) <= 1e-4 + 1e-5 * Float(k).squareRoot() * 4 * Swift.abs(y) + 2e-5 * Float(k)) {
                Issue.record("gemm ta \(ta) tb \(tb) m \(m) n \(n) k \(k) alpha \(alpha) beta \(beta) pad \(pad) threads \(threads): C[\(i),\(j)] = \(x), expected \(y)")
                return
            }
        } }
        // Padding columns of C are never written.
        if beta == 0, pad > 0 { #expect(c[ldc - 1].isNaN, "gemm wrote past column n") }
    }

    @Test(.enabled(if: lt_cpu_has_avx512() != 0, "the CPU has no AVX-512"))
    func ownGemmAgainstTripleLoop() {
        let shapes = [(1, 1, 1), (12, 32, 1), (13, 33, 5), (11, 31, 257), (25, 65, 300), (40, 2, 256), (3, 100, 2), (100, 17, 513), (200, 40, 64),
                      // N <= 4: the direct narrow forms (NT dot products, TN row sweeps), M past a 64-row block
                      (130, 3, 70), (65, 4, 17), (7, 1, 300), (200, 2, 512)]
        for (m, n, k) in shapes {
            for ta in [false, true] { for tb in [false, true] {
                check(ta, tb, m, n, k, alpha: 1, beta: 0, pad: 3, threads: 1)
                check(ta, tb, m, n, k, alpha: -0.5, beta: 0.75, pad: 0, threads: 2)
            } }
        }
    }

    @Test(.enabled(if: lt_cpu_has_avx512() != 0, "the CPU has no AVX-512"))
    func emptyKAndZeroAlphaOnlyScaleC() {
        // As BLAS: K == 0 or alpha == 0 gives C = beta C (NaN in A or B never reaches C),
        // also on a thread whose packing buffers already exist (a review found K == 0 skipped beta there).
        check(false, false, 20, 40, 20, alpha: 1, beta: 0, pad: 0, threads: 1)
        check(false, false, 5, 5, 0, alpha: 1, beta: 0.5, pad: 0, threads: 1)
        check(true, true, 5, 5, 0, alpha: 1, beta: 0, pad: 2, threads: 1)
        let a = [Float](repeating: .nan, count: 6 * 7), b = [Float](repeating: .infinity, count: 7 * 3)
        var c: [Float] = (0..<18).map { Float($0) }
        lt_sgemm_f32_avx512(0, 0, 6, 3, 7, 0, a, 7, b, 3, 2, &c, 3)
        #expect(c == (0..<18).map { 2 * Float($0) }, "alpha = 0 must give beta C: \(c)")
    }

    @Test(.enabled(if: lt_cpu_has_avx512() != 0, "the CPU has no AVX-512"))
    func largeThreadedProductSplitsByRowsAndByColumns() {
        // Tall: split by rows; wide: split by columns; both exceed one MC x NC block.
        check(false, true, 517, 70, 300, alpha: 1, beta: 0, pad: 1, threads: 2)
        check(true, false, 30, 2100, 40, alpha: 2, beta: 1, pad: 0, threads: 2)
        check(false, false, 64, 64, 1000, alpha: 1, beta: 0, pad: 0, threads: 3)
    }

    @Test func fusedBiasActivationMatchesGemmThenKernel() {
        // lt_sgemm_bias_act (fused on the own GEMM, two passes elsewhere) against
        // BLAS + the reference bias/activation kernel, on edge-sized tiles and a
        // K deeper than one slice; NaN inputs must pass through ReLU as NaN.
        let ref = lt_kernels_for(LT_ISA_REF)!.pointee
        for (m, n, k) in [(1, 1, 1), (13, 33, 7), (50, 70, 300), (3, 2, 256), (70, 3, 33)] {
            var x = values(m * k, seed: 11), w = values(n * k, seed: 12)
            x[0] = .nan
            let bias = values(n, seed: 13)
            for (act, slope) in [(LT_ACT_IDENTITY, Float(0)), (LT_ACT_RELU, 0), (LT_ACT_LEAKY_RELU, 0.2), (LT_ACT_TANH, 0)] {
                for withBias in [true, false] {
                    var fused = [Float](repeating: .nan, count: m * n), expect = fused
                    bias.withUnsafeBufferPointer { b in
                        lt_sgemm_bias_act(0, 1, Int32(m), Int32(n), Int32(k), x, Int32(k), w, Int32(k), withBias ? b.baseAddress : nil, act, slope, &fused)
                        lt_sgemm_blas(0, 1, Int32(m), Int32(n), Int32(k), 1, x, Int32(k), w, Int32(k), 0, &expect, Int32(n))
                        expect.withUnsafeMutableBufferPointer { e in
                            ref.bias_act_forward(e.baseAddress!, e.baseAddress!, withBias ? b.baseAddress : nil, Int64(m), Int64(n), act, slope)
                        }
                    }
                    for i in 0..<(m * n) {
                        let (a, e) = (fused[i], expect[i])
                        if a.isNaN != e.isNaN || (!a.isNaN && Swift.abs(a - e) > 1e-4 * (1 + Swift.abs(e))) {
                            Issue.record("bias_act \(act.rawValue) bias \(withBias) (\(m), \(n), \(k)) at \(i): \(a) vs \(e)")
                            break
                        }
                    }
                }
            }
        }
    }

    @Test func sgemmDispatchMatchesBLAS() {
        // Whatever lt_sgemm chooses (own GEMM or BLAS), it agrees with cblas_sgemm.
        let (m, n, k) = (70, 90, 130)
        let a = values(m * k, seed: 1), b = values(n * k, seed: 2)
        var c1 = [Float](repeating: 0, count: m * n), c2 = c1
        lt_sgemm(0, 1, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, &c1, Int32(n))
        lt_sgemm_blas(0, 1, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, &c2, Int32(n))
        for i in 0..<(m * n) where Swift.abs(c1[i] - c2[i]) > 1e-4 * (1 + Swift.abs(c2[i])) {
            Issue.record("lt_sgemm (\(String(cString: lt_gemm_name()))) vs BLAS at \(i): \(c1[i]) vs \(c2[i])")
            return
        }
    }
}
