import CLatent
import Testing
@testable import Latent

/// Each AVX2+FMA kernel against its portable reference twin, on awkward sizes
/// and on pointers offset by one float (unaligned), in place where the header
/// allows it. Transcendentals may differ by a few ulp (rtol 2e-6); arithmetic
/// must agree to rounding of a different summation order.
@Suite struct KernelParityTests {
    static let sizes = [0, 1, 7, 8, 9, 15, 16, 17, 33, 1000]
    let ref = lt_kernels_for(LT_ISA_REF)!.pointee
    let simd = lt_kernels_for(LT_ISA_AVX2)?.pointee

    /// A buffer of n floats starting one float past a 64-byte boundary.
    final class Unaligned {
        let raw: UnsafeMutablePointer<Float>
        let p: UnsafeMutablePointer<Float>
        let n: Int
        init(_ values: [Float]) {
            n = values.count
            raw = .allocate(capacity: n + 17)
            p = raw + 1
            p.initialize(from: values, count: n)
        }
        convenience init(count: Int) { self.init([Float](repeating: .nan, count: count)) }
        var array: [Float] { Array(UnsafeBufferPointer(start: p, count: n)) }
        deinit { raw.deallocate() }
    }

    func values(_ n: Int, seed: UInt64, scale: Float = 3) -> [Float] {
        var rng = RandomGenerator(seed: seed, stream: 5)
        return (rng.normal([n]) * scale).scalars
    }

    func expectAgree(_ a: [Float], _ b: [Float], rtol: Float = 2e-6, atol: Float = 1e-6, _ what: String) {
        #expect(a.count == b.count)
        for i in 0..<min(a.count, b.count) {
            let (x, y) = (a[i], b[i])
            if x.isNaN || y.isNaN { #expect(x.isNaN && y.isNaN, "\(what)[\(i)]: \(x) vs \(y)"); continue }
            if x.isInfinite || y.isInfinite { #expect(x == y, "\(what)[\(i)]: \(x) vs \(y)"); continue }
            if Swift.abs(x - y) > atol + rtol * Swift.abs(y) {
                Issue.record("\(what)[\(i)]: avx2 \(x) vs ref \(y)")
                return
            }
        }
    }

    @Test func avx2IsChosenWhenTheCPUHasIt() {
        if lt_cpu_has_avx2_fma() != 0 && simd != nil {
            let forced = String(cString: lt_kernels().pointee.name)
            // `make test` runs the suite twice: once natively, once with LATENT_ISA=ref.
            #expect(forced == "avx2+fma" || forced == "ref")
        } else {
            #expect(lt_kernels().pointee.isa == LT_ISA_REF)
        }
    }

    @Test func biasActivationForwardAndBackward() throws {
        guard let simd else { return }
        let acts: [(lt_act, Float)] = [(LT_ACT_IDENTITY, 0), (LT_ACT_RELU, 0), (LT_ACT_LEAKY_RELU, 0.2), (LT_ACT_ELU, 1.3),
                                       (LT_ACT_TANH, 0), (LT_ACT_SIGMOID, 0), (LT_ACT_SOFTPLUS, 0), (LT_ACT_EXP, 0)]
        for n in Self.sizes {
            for cols in [1, 3, 8, 17] where n % cols == 0 || n == 0 {
                let rows = cols == 0 ? 0 : n / cols
                for (act, alpha) in acts {
                    var xs = values(n, seed: UInt64(n + cols), scale: act == LT_ACT_EXP ? 10 : 30)
                    if n > 3 { xs[0] = 100; xs[1] = -100; xs[2] = 0 }
                    let bias = values(cols, seed: 9, scale: 1)
                    let x = Unaligned(xs), b = Unaligned(bias), y1 = Unaligned(count: n), y2 = Unaligned(count: n)
                    ref.bias_act_forward(y1.p, x.p, b.p, Int64(rows), Int64(cols), act, alpha)
                    simd.bias_act_forward(y2.p, x.p, b.p, Int64(rows), Int64(cols), act, alpha)
                    expectAgree(y2.array, y1.array, "bias_act_forward act \(act.rawValue) n \(n) cols \(cols)")
                    // In place, no bias.
                    let inplace = Unaligned(xs)
                    simd.bias_act_forward(inplace.p, inplace.p, nil, Int64(rows), Int64(cols), act, alpha)
                    ref.bias_act_forward(y1.p, x.p, nil, Int64(rows), Int64(cols), act, alpha)
                    expectAgree(inplace.array, y1.array, "bias_act_forward in place act \(act.rawValue) n \(n)")
                    // Backward from the (pre, post) pair.
                    let dy = Unaligned(values(n, seed: 3, scale: 1)), d1 = Unaligned(count: n), d2 = Unaligned(count: n)
                    ref.act_backward(d1.p, dy.p, x.p, y1.p, Int64(n), act, alpha)
                    simd.act_backward(d2.p, dy.p, x.p, y1.p, Int64(n), act, alpha)
                    expectAgree(d2.array, d1.array, rtol: 1e-5, "act_backward act \(act.rawValue) n \(n)")
                }
            }
        }
    }

    @Test func unaryBinaryAxpbyReduce() {
        guard let simd else { return }
        let unaryOps: [lt_unary_op] = [LT_UN_NEG, LT_UN_EXP, LT_UN_LOG, LT_UN_SQRT, LT_UN_ABS, LT_UN_SQUARE, LT_UN_RECIPROCAL, LT_UN_SIN, LT_UN_COS, LT_UN_LOG1P]
        for n in Self.sizes {
            let xs = values(n, seed: UInt64(n) + 100, scale: 2)
            let pos = xs.map { Swift.abs($0) + 0.01 }
            for op in unaryOps {
                let input = (op == LT_UN_LOG || op == LT_UN_SQRT || op == LT_UN_LOG1P) ? pos : xs
                let x = Unaligned(input), y1 = Unaligned(count: n), y2 = Unaligned(count: n)
                ref.unary(y1.p, x.p, Int64(n), op)
                simd.unary(y2.p, x.p, Int64(n), op)
                expectAgree(y2.array, y1.array, rtol: 4e-6, "unary \(op.rawValue) n \(n)")
            }
            // axpby, in place on x.
            let x = Unaligned(xs), y = Unaligned(values(n, seed: 7)), o1 = Unaligned(count: n)
            ref.axpby(o1.p, x.p, y.p, Int64(n), 0.5, -2)
            simd.axpby(x.p, x.p, y.p, Int64(n), 0.5, -2)
            expectAgree(x.array, o1.array, "axpby n \(n)")
        }
        // Broadcasting binary ops on a few shapes.
        let shapes: [([Int64], [Int64], [Int64])] = [([1000], [1], [0]), ([3, 17], [17, 1], [0, 1]), ([5, 9], [1, 5], [1, 0]),
                                                      ([2, 3, 33], [99, 33, 1], [0, 1, 0]), ([0, 4], [4, 1], [0, 1])]
        let ops: [lt_binary_op] = [LT_BIN_ADD, LT_BIN_SUB, LT_BIN_MUL, LT_BIN_DIV, LT_BIN_MAX, LT_BIN_MIN]
        for (shape, sa, sb) in shapes {
            let n = Int(shape.reduce(1, *))
            let na = Int(zip(shape, sa).map { $0.1 == 0 ? 1 : $0.0 }.reduce(1, *)) + 200
            let a = Unaligned(values(na, seed: 1)), b = Unaligned(values(200, seed: 2).map { $0 == 0 ? 1 : $0 })
            for op in ops {
                let o1 = Unaligned(count: n), o2 = Unaligned(count: n)
                ref.binary(o1.p, a.p, sa, b.p, sb, shape, Int32(shape.count), op)
                simd.binary(o2.p, a.p, sa, b.p, sb, shape, Int32(shape.count), op)
                expectAgree(o2.array, o1.array, "binary \(op.rawValue) shape \(shape)")
            }
        }
        // Reductions over (outer, n, inner).
        for (outer, n, inner) in [(1, 1000, 1), (3, 17, 1), (2, 9, 8), (4, 33, 3), (1, 0, 1), (5, 7, 17)] {
            let x = Unaligned(values(outer * n * inner, seed: 4, scale: 20))
            for op in [LT_RED_SUM, LT_RED_MEAN, LT_RED_MAX, LT_RED_LOGSUMEXP] {
                let o1 = Unaligned(count: outer * inner), o2 = Unaligned(count: outer * inner)
                ref.reduce(o1.p, x.p, Int64(outer), Int64(n), Int64(inner), op)
                simd.reduce(o2.p, x.p, Int64(outer), Int64(n), Int64(inner), op)
                expectAgree(o2.array, o1.array, rtol: 1e-5, atol: 1e-4, "reduce \(op.rawValue) (\(outer), \(n), \(inner))")
            }
        }
    }

    @Test func smallKGemmAgainstTripleLoop() {
        for table in [ref] + (simd.map { [$0] } ?? []) {
            for k in 1...16 {
                for (m, n) in [(1, 1), (7, 9), (8, 8), (15, 17), (33, 16), (3, 1000)] {
                    let a = Unaligned(values(m * k, seed: UInt64(k)))
                    let b = Unaligned(values(k * n, seed: UInt64(n)))
                    let c0 = values(m * n, seed: 3)
                    let c = Unaligned(c0)
                    table.gemm_smallk(c.p, Int32(n), a.p, Int32(k), b.p, Int32(n), Int32(m), Int32(n), Int32(k), 1.5, 0.5)
                    var expect = [Float](repeating: 0, count: m * n)
                    for i in 0..<m { for j in 0..<n {
                        var s = 0.0
                        for p in 0..<k { s += Double(a.p[i * k + p]) * Double(b.p[p * n + j]) }
                        expect[i * n + j] = Float(1.5 * s + 0.5 * Double(c0[i * n + j]))
                    } }
                    expectAgree(c.array, expect, rtol: 1e-5, atol: 1e-4, "\(String(cString: table.name)) gemm_smallk m \(m) n \(n) k \(k)")
                }
            }
        }
    }

    @Test func covarianceAndAdam() {
        guard let simd else { return }
        for (n, d) in [(1, 1), (7, 3), (33, 8), (100, 17)] {
            let x = Unaligned(values(n * d, seed: 8).map { $0 + 5 })
            let c1 = Unaligned(count: d * d), c2 = Unaligned(count: d * d), m1 = Unaligned(count: d), m2 = Unaligned(count: d)
            ref.cov_forward(c1.p, m1.p, x.p, Int64(n), Int64(d))
            simd.cov_forward(c2.p, m2.p, x.p, Int64(n), Int64(d))
            expectAgree(c2.array, c1.array, rtol: 1e-5, atol: 1e-5, "cov_forward \(n)x\(d)")
            expectAgree(m2.array, m1.array, rtol: 1e-6, atol: 1e-6, "cov mean \(n)x\(d)")
            let dc = Unaligned(values(d * d, seed: 9)), g1 = Unaligned(count: n * d), g2 = Unaligned(count: n * d)
            ref.cov_backward(g1.p, dc.p, x.p, m1.p, Int64(n), Int64(d))
            simd.cov_backward(g2.p, dc.p, x.p, m1.p, Int64(n), Int64(d))
            expectAgree(g2.array, g1.array, rtol: 1e-5, atol: 1e-5, "cov_backward \(n)x\(d)")
        }
        for n in Self.sizes {
            for decoupled in [Int32(0), 1] {
                let p0 = values(n, seed: 1), g = Unaligned(values(n, seed: 2)), m0 = values(n, seed: 3, scale: 0.1), v0 = values(n, seed: 4, scale: 0.1).map { $0 * $0 }
                let p1 = Unaligned(p0), p2 = Unaligned(p0), m1 = Unaligned(m0), m2 = Unaligned(m0), v1 = Unaligned(v0), v2 = Unaligned(v0)
                ref.adam_step(p1.p, g.p, m1.p, v1.p, Int64(n), 1e-3, 0.9, 0.999, 1e-8, 0.01, 0.271, 0.00399, decoupled)
                simd.adam_step(p2.p, g.p, m2.p, v2.p, Int64(n), 1e-3, 0.9, 0.999, 1e-8, 0.01, 0.271, 0.00399, decoupled)
                expectAgree(p2.array, p1.array, rtol: 1e-6, atol: 1e-7, "adam p n \(n)")
                expectAgree(m2.array, m1.array, rtol: 1e-6, atol: 1e-7, "adam m n \(n)")
                expectAgree(v2.array, v1.array, rtol: 1e-6, atol: 1e-9, "adam v n \(n)")
            }
        }
    }

    /// im2col / col2im: pure data movement (and one add per element), so the
    /// AVX2 row moves must equal the reference exactly, on odd sizes, every
    /// stride / padding mix, row strides ld > oh*ow and unaligned buffers.
    @Test func im2colAndCol2im() {
        guard let simd else { return }
        // (C, H, W, k, stride, pad)
        let cases: [(Int, Int, Int, Int, Int, Int)] = [(1, 1, 1, 1, 1, 0), (2, 7, 9, 3, 1, 1), (3, 8, 8, 4, 2, 1), (2, 17, 33, 4, 2, 1),
                                                       (1, 64, 64, 4, 2, 1), (2, 9, 15, 3, 2, 0), (3, 10, 7, 5, 3, 2), (2, 4, 4, 4, 1, 0),
                                                       (1, 32, 32, 4, 2, 3)]
        for (c, h, w, k, s, p) in cases {
            let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
            let ld = oh * ow + 3, rows = c * k * k
            let im = Unaligned(values(c * h * w, seed: UInt64(h * w)))
            let a = Unaligned(count: rows * ld), b = Unaligned(count: rows * ld)
            ref.im2col(a.p, im.p, Int64(ld), Int32(c), Int32(h), Int32(w), Int32(k), Int32(k), Int32(s), Int32(s), Int32(p), Int32(p), Int32(oh), Int32(ow))
            simd.im2col(b.p, im.p, Int64(ld), Int32(c), Int32(h), Int32(w), Int32(k), Int32(k), Int32(s), Int32(s), Int32(p), Int32(p), Int32(oh), Int32(ow))
            // Columns past oh*ow are not written (NaN in both).
            expectAgree(b.array, a.array, rtol: 0, atol: 0, "im2col C\(c) \(h)x\(w) k\(k) s\(s) p\(p)")
            let col = Unaligned(values(rows * ld, seed: 7))
            let base = values(c * h * w, seed: 8)
            let i1 = Unaligned(base), i2 = Unaligned(base)
            ref.col2im(i1.p, col.p, Int64(ld), Int32(c), Int32(h), Int32(w), Int32(k), Int32(k), Int32(s), Int32(s), Int32(p), Int32(p), Int32(oh), Int32(ow))
            simd.col2im(i2.p, col.p, Int64(ld), Int32(c), Int32(h), Int32(w), Int32(k), Int32(k), Int32(s), Int32(s), Int32(p), Int32(p), Int32(oh), Int32(ow))
            expectAgree(i2.array, i1.array, rtol: 0, atol: 0, "col2im C\(c) \(h)x\(w) k\(k) s\(s) p\(p)")
        }
    }

    /// Batch norm: float vector sums per run vs the reference's double sums.
    @Test func batchNormForwardAndBackward() {
        guard let simd else { return }
        for (n, c, hw) in [(2, 1, 1), (3, 2, 7), (4, 3, 16), (2, 5, 17), (5, 2, 33), (64, 3, 1), (2, 2, 1000)] {
            let count = n * c * hw
            let x = Unaligned(values(count, seed: UInt64(count)).map { $0 + 2 })
            let gamma = Unaligned(values(c, seed: 3, scale: 1)), beta = Unaligned(values(c, seed: 4, scale: 1))
            let dy = Unaligned(values(count, seed: 5, scale: 1))
            for training in [Int32(1), 0] {
                let y1 = Unaligned(count: count), y2 = Unaligned(count: count)
                let m1 = Unaligned(values(c, seed: 6, scale: 1)), v1 = Unaligned(values(c, seed: 7, scale: 1).map { $0 * $0 + 0.5 })
                let m2 = Unaligned(m1.array), v2 = Unaligned(v1.array)
                ref.batchnorm_forward(y1.p, m1.p, v1.p, x.p, gamma.p, beta.p, Int64(n), Int64(c), Int64(hw), 1e-5, training)
                simd.batchnorm_forward(y2.p, m2.p, v2.p, x.p, gamma.p, beta.p, Int64(n), Int64(c), Int64(hw), 1e-5, training)
                expectAgree(m2.array, m1.array, rtol: 1e-5, atol: 1e-6, "batchnorm mean \(n)x\(c)x\(hw) training \(training)")
                expectAgree(v2.array, v1.array, rtol: 1e-4, atol: 1e-6, "batchnorm var \(n)x\(c)x\(hw) training \(training)")
                expectAgree(y2.array, y1.array, rtol: 1e-4, atol: 1e-4, "batchnorm y \(n)x\(c)x\(hw) training \(training)")
                let d1 = Unaligned(count: count), d2 = Unaligned(count: count)
                let g1 = Unaligned(count: c), g2 = Unaligned(count: c), b1 = Unaligned(count: c), b2 = Unaligned(count: c)
                ref.batchnorm_backward(d1.p, g1.p, b1.p, dy.p, x.p, m1.p, v1.p, gamma.p, Int64(n), Int64(c), Int64(hw), 1e-5, training)
                simd.batchnorm_backward(d2.p, g2.p, b2.p, dy.p, x.p, m1.p, v1.p, gamma.p, Int64(n), Int64(c), Int64(hw), 1e-5, training)
                expectAgree(d2.array, d1.array, rtol: 1e-4, atol: 1e-4, "batchnorm dx \(n)x\(c)x\(hw) training \(training)")
                expectAgree(g2.array, g1.array, rtol: 1e-4, atol: 1e-4, "batchnorm dgamma \(n)x\(c)x\(hw) training \(training)")
                expectAgree(b2.array, b1.array, rtol: 1e-5, atol: 1e-5, "batchnorm dbeta \(n)x\(c)x\(hw) training \(training)")
            }
        }
    }

    /// The chunked convolution against its per-image reference twin on the
    /// workload shapes (several chunks), through the public entry points.
    @Test func chunkedConvolutionMatchesReferenceTwin() {
        for (n, c, h, o, k, s, p) in [(9, 16, 32, 8, 4, 2, 1), (6, 8, 16, 40, 4, 2, 1), (8, 32, 8, 64, 4, 2, 1), (5, 3, 8, 20, 4, 2, 1), (3, 4, 4, 6, 4, 1, 0), (2, 2, 7, 3, 3, 1, 1)] {
            let oh = (h + 2 * p - k) / s + 1
            let x = Unaligned(values(n * c * h * h, seed: 1, scale: 1)), w = Unaligned(values(o * c * k * k, seed: 2, scale: 1))
            let bias = Unaligned(values(o, seed: 3, scale: 1)), dy = Unaligned(values(n * o * oh * oh, seed: 4, scale: 1))
            let work = Unaligned(count: Int(lt_conv2d_workspace(Int32(n), Int32(c), Int32(o), Int32(k), Int32(k), Int32(oh), Int32(oh))))
            let y1 = Unaligned(count: n * o * oh * oh), y2 = Unaligned(count: n * o * oh * oh)
            let geo = (Int32(n), Int32(c), Int32(h), Int32(h), Int32(o), Int32(k), Int32(k), Int32(s), Int32(s), Int32(p), Int32(p), Int32(oh), Int32(oh))
            lt_conv2d_forward_f32_ref(y1.p, x.p, w.p, bias.p, work.p, geo.0, geo.1, geo.2, geo.3, geo.4, geo.5, geo.6, geo.7, geo.8, geo.9, geo.10, geo.11, geo.12)
            lt_conv2d_forward_f32(y2.p, x.p, w.p, bias.p, work.p, geo.0, geo.1, geo.2, geo.3, geo.4, geo.5, geo.6, geo.7, geo.8, geo.9, geo.10, geo.11, geo.12)
            // Sums of up to C*k*k = 512 unit-scale products (magnitude ~20) in a different order
            // (one GEMM per chunk against one per image): rounding reaches ~1e-5 absolute where they
            // cancel; an indexing error is O(1).
            expectAgree(y2.array, y1.array, rtol: 1e-5, atol: 1e-4, "conv forward \(n) \(c) \(h) \(o)")
            let zeros = [Float](repeating: 0, count: o * c * k * k)
            let dx1 = Unaligned(count: n * c * h * h), dx2 = Unaligned(count: n * c * h * h)
            let dw1 = Unaligned(zeros), dw2 = Unaligned(zeros), db1 = Unaligned([Float](repeating: 0, count: o)), db2 = Unaligned([Float](repeating: 0, count: o))
            lt_conv2d_backward_f32_ref(dx1.p, dw1.p, db1.p, dy.p, x.p, w.p, work.p, geo.0, geo.1, geo.2, geo.3, geo.4, geo.5, geo.6, geo.7, geo.8, geo.9, geo.10, geo.11, geo.12)
            lt_conv2d_backward_f32(dx2.p, dw2.p, db2.p, dy.p, x.p, w.p, work.p, geo.0, geo.1, geo.2, geo.3, geo.4, geo.5, geo.6, geo.7, geo.8, geo.9, geo.10, geo.11, geo.12)
            expectAgree(dx2.array, dx1.array, rtol: 1e-5, atol: 1e-4, "conv dx \(n) \(c) \(h) \(o)")
            expectAgree(dw2.array, dw1.array, rtol: 1e-4, atol: 1e-4, "conv dw \(n) \(c) \(h) \(o)")
            expectAgree(db2.array, db1.array, rtol: 1e-5, atol: 1e-5, "conv dbias \(n) \(c) \(h) \(o)")
        }
    }
}
