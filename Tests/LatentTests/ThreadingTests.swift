import CLatent
import Testing
@testable import Latent

/// The thread pool and the threaded kernel table: every task runs once, and the
/// streaming kernels split over two threads give bit-for-bit the results of
/// the ISA kernel they wrap (so a run's numbers do not depend on --threads).
@Suite(.serialized) struct ThreadingTests {
    @Test func parallelForRunsEveryTaskOnce() {
        let saved = lt_threads()
        lt_set_threads(2)
        defer { lt_set_threads(saved) }
        final class Counts { var hits = [Int32](repeating: 0, count: 1000) }
        let counts = Counts()
        for n in [1, 2, 3, 17, 1000] {
            counts.hits = [Int32](repeating: 0, count: 1000)
            counts.hits.withUnsafeMutableBufferPointer { buf in
                lt_parallel_for(Int32(n), { ctx, i in
                    let p = ctx.assumingMemoryBound(to: Int32.self)
                    p[Int(i)] += 1   // each index is handed out once, so no two threads touch one slot
                }, buf.baseAddress!)
            }
            #expect(counts.hits.prefix(n).allSatisfy { $0 == 1 } && counts.hits.dropFirst(n).allSatisfy { $0 == 0 }, "n \(n)")
        }
    }

    @Test func threadedKernelsEqualTheISAKernelsBitForBit() {
        let saved = lt_threads()
        lt_set_threads(2)
        defer { lt_set_threads(saved) }
        let threaded = lt_kernels().pointee
        let isa = (lt_kernels_for(LT_ISA_AVX2) ?? lt_kernels_for(LT_ISA_REF))!.pointee
        #expect(String(cString: threaded.name) == String(cString: isa.name) || String(cString: threaded.name) == "ref")
        guard String(cString: threaded.name) == String(cString: isa.name) else { return }
        var rng = RandomGenerator(seed: 4, stream: 2)
        let (rows, cols) = (1001, 97)   // 97,097 elements: above the serial threshold, odd sizes
        let n = rows * cols
        let x = rng.normal([n]).scalars, y = rng.normal([n]).scalars, bias = rng.normal([cols]).scalars
        func same(_ a: [Float], _ b: [Float], _ what: String) {
            let bad = a.indices.first { a[$0].bitPattern != b[$0].bitPattern }
            #expect(bad == nil, "\(what): threaded and single-thread results differ at \(bad ?? -1)")
        }
        var a = [Float](repeating: 0, count: n), b = a
        threaded.bias_act_forward(&a, x, bias, Int64(rows), Int64(cols), LT_ACT_TANH, 0)
        isa.bias_act_forward(&b, x, bias, Int64(rows), Int64(cols), LT_ACT_TANH, 0)
        same(a, b, "bias_act_forward")
        threaded.act_backward(&a, y, x, x, Int64(n), LT_ACT_SOFTPLUS, 0)
        isa.act_backward(&b, y, x, x, Int64(n), LT_ACT_SOFTPLUS, 0)
        same(a, b, "act_backward")
        threaded.unary(&a, x, Int64(n), LT_UN_EXP); isa.unary(&b, x, Int64(n), LT_UN_EXP)
        same(a, b, "unary")
        threaded.axpby(&a, x, y, Int64(n), 0.3, -2); isa.axpby(&b, x, y, Int64(n), 0.3, -2)
        same(a, b, "axpby")
        // (rows, cols) * (cols) broadcast along the first axis.
        let shape: [Int64] = [Int64(rows), Int64(cols)], sa: [Int64] = [Int64(cols), 1], sb: [Int64] = [0, 1]
        threaded.binary(&a, x, sa, bias, sb, shape, 2, LT_BIN_MUL); isa.binary(&b, x, sa, bias, sb, shape, 2, LT_BIN_MUL)
        same(a, b, "binary")
        var ra = [Float](repeating: 0, count: rows), rb = ra
        threaded.reduce(&ra, x, Int64(rows), Int64(cols), 1, LT_RED_LOGSUMEXP)
        isa.reduce(&rb, x, Int64(rows), Int64(cols), 1, LT_RED_LOGSUMEXP)
        same(ra, rb, "reduce")
        var p1 = x, p2 = x, m1 = y, m2 = y, v1 = y.map { $0 * $0 }, v2 = v1
        threaded.adam_step(&p1, y, &m1, &v1, Int64(n), 1e-3, 0.9, 0.999, 1e-8, 0.01, 0.1, 0.001, 1)
        isa.adam_step(&p2, y, &m2, &v2, Int64(n), 1e-3, 0.9, 0.999, 1e-8, 0.01, 0.1, 0.001, 1)
        same(p1, p2, "adam p"); same(m1, m2, "adam m"); same(v1, v2, "adam v")
    }
}
