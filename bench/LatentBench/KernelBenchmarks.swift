import CLatent
import Dispatch
import Foundation
import Latent

// Kernel rows: GEMM against cblas_sgemm and the measured FMA peak, element-wise
// and reductions against a memory copy, covariance accumulation against the
// BLAS rank-k update.

/// Measured float32 FMA peak (GFLOP/s) of the active ISA on `threads` threads
/// (`wide`: with the GEMM's vector width, AVX-512 on CPUs that have it).
func measuredPeak(threads: Int, wide: Bool = false) -> Double {
    let iterations: Int64 = 20_000_000
    var best = 0.0
    for _ in 0..<3 {
        let t0 = DispatchTime.now().uptimeNanoseconds
        var flops = [Double](repeating: 0, count: threads)
        flops.withUnsafeMutableBufferPointer { f in
            let base = f.baseAddress!
            DispatchQueue.concurrentPerform(iterations: threads) { i in
                var sink: Float = 0
                base[i] = wide ? lt_fma_probe_wide(iterations, &sink) : lt_fma_probe(iterations, &sink)
            }
        }
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        best = max(best, flops.reduce(0, +) / dt / 1e9)
    }
    return best
}

func registerKernelRows(threads: Int) {
    let isa = RuntimeInfo.isa
    // Each peak is measured once, on first use, and shared by the rows that cite it.
    func measuredOnce(_ measure: @escaping () -> Double) -> () -> Double {
        var value: Double? = nil
        return {
            if let v = value { return v }
            let v = measure()
            value = v
            return v
        }
    }
    let peak = measuredOnce { measuredPeak(threads: threads) }
    let gemmPeak = measuredOnce { measuredPeak(threads: threads, wide: true) }

    register("peak", "fma-peak") {
        BenchResult(name: "fma-peak", shape: "\(isa), \(threads) thr", value: peak(), unit: "GFLOP/s")
    }
    // The own GEMM's yardstick: AVX-512 FMA where it runs (else the same as fma-peak).
    register("peak", "fma-peak-gemm") {
        BenchResult(name: "fma-peak-gemm", shape: "\(RuntimeInfo.gemm), \(threads) thr",
                    value: gemmPeak(), unit: "GFLOP/s")
    }

    // (name, M, K, N): the largest products of W2/W4 (128x784x512), W5 (512x512x512),
    // and the 2-D flows' input layer (512x2x256), where OpenBLAS is slow.
    let gemms: [(String, Int, Int, Int)] = [("gemm-w2w4", 128, 784, 512), ("gemm-w5", 512, 512, 512),
                                            ("gemm-w1-input", 512, 2, 256), ("gemm-k8", 512, 8, 256)]
    for (name, m, k, n) in gemms {
        register("gemm", name) {
            let a = Buffer(m * k, seed: 1), b = Buffer(k * n, seed: 2), c = Buffer(m * n), r = Buffer(m * n)
            lt_sgemm(0, 0, Int32(m), Int32(n), Int32(k), 1, a.p, Int32(k), b.p, Int32(n), 0, c.p, Int32(n))
            lt_sgemm_blas(0, 0, Int32(m), Int32(n), Int32(k), 1, a.p, Int32(k), b.p, Int32(n), 0, r.p, Int32(n))
            verify(maxRelativeError(c.p, r.p, m * n) < 1e-4, "\(name) lt_sgemm vs cblas_sgemm")
            let flops = 2.0 * Double(m * n * k)
            let tOurs = measure { lt_sgemm(0, 0, Int32(m), Int32(n), Int32(k), 1, a.p, Int32(k), b.p, Int32(n), 0, c.p, Int32(n)) }
            let tBlas = measure { lt_sgemm_blas(0, 0, Int32(m), Int32(n), Int32(k), 1, a.p, Int32(k), b.p, Int32(n), 0, r.p, Int32(n)) }
            let ours = flops / tOurs / 1e9, blas = flops / tBlas / 1e9
            return BenchResult(name: name, shape: "\(m)x\(k)x\(n), \(isa), \(threads) thr", value: ours, unit: "GFLOP/s",
                               reference: String(format: "cblas %.1f, gemm peak %.0f (%.0f%% of it)", blas, gemmPeak(), 100 * ours / gemmPeak()),
                               ratio: ours / blas)
        }
    }

    // Convolutions (forward + backward: dx, dw) against the GEMMs they reduce
    // to, timed alone on a ready col buffer: the gap is im2col / col2im and
    // layout copies. (name, N, C, H, O): 4x4 stride 2 pad 1, the W3 / W6 shapes.
    let convs: [(String, Int, Int, Int, Int)] = [("conv-w3-enc2", 64, 32, 32, 32), ("conv-w6-d2", 64, 32, 32, 64),
                                                 ("conv-w6-d4", 64, 128, 8, 256)]
    for (name, n, c, h, o) in convs {
        register("conv", name) {
            let k = 4, oh = h / 2, ckk = c * k * k, cols = n * oh * oh
            let x = Buffer(n * c * h * h, seed: 1), w = Buffer(o * ckk, seed: 2), dy = Buffer(n * o * oh * oh, seed: 3)
            let y = Buffer(n * o * oh * oh), yr = Buffer(n * o * oh * oh), dx = Buffer(n * c * h * h), dw = Buffer(o * ckk)
            let work = Buffer(Int(lt_conv2d_workspace(Int32(n), Int32(c), Int32(o), 4, 4, Int32(oh), Int32(oh))))
            let g = (Int32(n), Int32(c), Int32(h), Int32(h), Int32(o), Int32(k), Int32(k), Int32(2), Int32(2), Int32(1), Int32(1), Int32(oh), Int32(oh))
            lt_conv2d_forward_f32(y.p, x.p, w.p, nil, work.p, g.0, g.1, g.2, g.3, g.4, g.5, g.6, g.7, g.8, g.9, g.10, g.11, g.12)
            lt_conv2d_forward_f32_ref(yr.p, x.p, w.p, nil, work.p, g.0, g.1, g.2, g.3, g.4, g.5, g.6, g.7, g.8, g.9, g.10, g.11, g.12)
            verify(maxRelativeError(y.p, yr.p, n * o * oh * oh) < 1e-4, "\(name) chunked conv vs reference twin")
            let t = measure {
                lt_conv2d_forward_f32(y.p, x.p, w.p, nil, work.p, g.0, g.1, g.2, g.3, g.4, g.5, g.6, g.7, g.8, g.9, g.10, g.11, g.12)
                lt_conv2d_backward_f32(dx.p, dw.p, nil, dy.p, x.p, w.p, work.p, g.0, g.1, g.2, g.3, g.4, g.5, g.6, g.7, g.8, g.9, g.10, g.11, g.12)
            }
            // The same three products as single GEMMs over the whole batch.
            let col = Buffer(ckk * cols, seed: 4), out = Buffer(o * cols), gt = Buffer(o * cols, seed: 5)
            let tg = measure {
                lt_sgemm(0, 0, Int32(o), Int32(cols), Int32(ckk), 1, w.p, Int32(ckk), col.p, Int32(cols), 0, out.p, Int32(cols))
                lt_sgemm(0, 1, Int32(o), Int32(ckk), Int32(cols), 1, gt.p, Int32(cols), col.p, Int32(cols), 1, dw.p, Int32(ckk))
                lt_sgemm(1, 0, Int32(ckk), Int32(cols), Int32(o), 1, w.p, Int32(ckk), gt.p, Int32(cols), 0, col.p, Int32(cols))
            }
            let flops = 6.0 * Double(o * ckk * cols)
            return BenchResult(name: name, shape: "\(n)x\(c)x\(h)x\(h) -> \(o), fwd+bwd, \(threads) thr", value: flops / t / 1e9, unit: "GFLOP/s",
                               reference: String(format: "its GEMMs alone %.1f GFLOP/s", flops / tg / 1e9), ratio: tg / t)
        }
    }

    let n = 1 << 22  // 16 MiB per float buffer: out of cache
    let t = lt_kernels().pointee
    register("memory", "memcpy") {
        let a = Buffer(n), b = Buffer(n)
        let s = measure { memcpy(b.p, a.p, n * 4) }
        return BenchResult(name: "memcpy", shape: "\(n) floats", value: 2.0 * Double(n * 4) / s / 1e9, unit: "GB/s")
    }
    func copyRate() -> Double {
        let a = Buffer(n), b = Buffer(n)
        return 2.0 * Double(n * 4) / measure { memcpy(b.p, a.p, n * 4) } / 1e9
    }
    var copyCache: Double? = nil
    func copyGBs() -> Double { if let c = copyCache { return c }; let c = copyRate(); copyCache = c; return c }

    let acts: [(String, lt_act)] = [("relu", LT_ACT_RELU), ("tanh", LT_ACT_TANH), ("softplus", LT_ACT_SOFTPLUS)]
    for (label, act) in acts {
        register("elementwise", "bias-\(label)") {
            let cols = 256
            let x = Buffer(n), y = Buffer(n), r = Buffer(n), bias = Buffer(cols)
            lt_kernels_for(LT_ISA_REF)!.pointee.bias_act_forward(r.p, x.p, bias.p, Int64(n / cols), Int64(cols), act, 0)
            t.bias_act_forward(y.p, x.p, bias.p, Int64(n / cols), Int64(cols), act, 0)
            verify(maxRelativeError(y.p, r.p, n) < 1e-5, "bias+\(label) vs reference")
            let s = measure { t.bias_act_forward(y.p, x.p, bias.p, Int64(n / cols), Int64(cols), act, 0) }
            let gbs = 2.0 * Double(n * 4) / s / 1e9
            return BenchResult(name: "bias-\(label)", shape: "\(n / cols)x\(cols), \(isa)", value: gbs, unit: "GB/s",
                               reference: String(format: "memcpy %.1f GB/s", copyGBs()), ratio: gbs / copyGBs())
        }
    }
    register("elementwise", "add-broadcast") {
        let cols: Int64 = 256
        let a = Buffer(n), b = Buffer(Int(cols)), o = Buffer(n), r = Buffer(n)
        let shape: [Int64] = [Int64(n) / cols, cols], sa: [Int64] = [cols, 1], sb: [Int64] = [0, 1]
        lt_kernels_for(LT_ISA_REF)!.pointee.binary(r.p, a.p, sa, b.p, sb, shape, 2, LT_BIN_ADD)
        t.binary(o.p, a.p, sa, b.p, sb, shape, 2, LT_BIN_ADD)
        verify(maxRelativeError(o.p, r.p, n) == 0, "broadcast add vs reference")
        let s = measure { t.binary(o.p, a.p, sa, b.p, sb, shape, 2, LT_BIN_ADD) }
        let gbs = 2.0 * Double(n * 4) / s / 1e9
        return BenchResult(name: "add-broadcast", shape: "\(n / Int(cols))x\(cols) + \(cols), \(isa)", value: gbs, unit: "GB/s",
                           reference: String(format: "memcpy %.1f GB/s", copyGBs()), ratio: gbs / copyGBs())
    }
    for (label, op) in [("sum", LT_RED_SUM), ("logsumexp", LT_RED_LOGSUMEXP)] {
        register("reduce", "reduce-\(label)") {
            let rows = 4096, cols = n / 4096
            let x = Buffer(n), o = Buffer(rows), r = Buffer(rows)
            lt_kernels_for(LT_ISA_REF)!.pointee.reduce(r.p, x.p, Int64(rows), Int64(cols), 1, op)
            t.reduce(o.p, x.p, Int64(rows), Int64(cols), 1, op)
            verify(maxRelativeError(o.p, r.p, rows) < 1e-4, "reduce \(label) vs reference")
            let s = measure { t.reduce(o.p, x.p, Int64(rows), Int64(cols), 1, op) }
            let gbs = Double(n * 4) / s / 1e9
            return BenchResult(name: "reduce-\(label)", shape: "\(rows)x\(cols) over rows, \(isa)", value: gbs, unit: "GB/s",
                               reference: String(format: "memcpy %.1f GB/s", copyGBs()), ratio: gbs / copyGBs())
        }
    }

    // Covariance accumulation: 65536 points streamed in batches of 4096.
    for d in [10, 32, 256] {
        register("covariance", "cov-accumulate-d\(d)") {
            let total = 65536, batch = 4096
            var rng = RandomGenerator(seed: 3)
            let batches = (0..<(total / batch)).map { _ in rng.normal([batch, d]) + 100 }
            let s = measure(seconds: 0.5, warmup: 1) {
                var acc = MomentAccumulator(dimension: d)
                for b in batches { acc.add(b) }
            }
            // Reference: the BLAS rank-k update on the same (already centred, double) data.
            let xs = UnsafeMutablePointer<Double>.allocate(capacity: batch * d)
            let c = UnsafeMutablePointer<Double>.allocate(capacity: d * d)
            defer { xs.deallocate(); c.deallocate() }
            for i in 0..<(batch * d) { xs[i] = Double(batches[0].scalars[i]) }
            let sBlas = measure(seconds: 0.5, warmup: 1) {
                for _ in 0..<(total / batch) { lt_dsyrk_upper(c, xs, Int64(batch), Int64(d), 1) }
            }
            let flops = Double(total) * Double(d * d)  // the symmetric rank-k update: N*D*D/2 FMAs
            return BenchResult(name: "cov-accumulate-d\(d)", shape: "65536x\(d) in 4096-row batches", value: flops / s / 1e9, unit: "GFLOP/s",
                               reference: String(format: "dsyrk %.1f GFLOP/s", flops / sBlas / 1e9), ratio: sBlas / s)
        }
    }

    // Affine coupling with its log-determinant (batch 4096, dimension 64), both directions.
    // Traffic per call: in, r, t read and out written (4 N D floats) plus mask and log-det;
    // the reference is memcpy moving the same number of bytes (half read, half written).
    for (label, inverse) in [("coupling-forward", Int32(0)), ("coupling-inverse", Int32(1))] {
        register("coupling", label) {
            let rows = 4096, cols = 64, nd = rows * cols
            let x = Buffer(nd, seed: 11), r = Buffer(nd, seed: 12), sh = Buffer(nd, seed: 13)
            let mask = Buffer(cols), out = Buffer(nd), ld = Buffer(rows), refOut = Buffer(nd), refLd = Buffer(rows)
            for d in 0..<cols { mask.p[d] = d % 2 == 0 ? 1 : 0 }
            lt_kernels_for(LT_ISA_REF)!.pointee.coupling_forward(refOut.p, refLd.p, x.p, r.p, sh.p, mask.p, Int64(rows), Int64(cols), inverse)
            t.coupling_forward(out.p, ld.p, x.p, r.p, sh.p, mask.p, Int64(rows), Int64(cols), inverse)
            verify(maxRelativeError(out.p, refOut.p, nd) < 1e-5 && maxRelativeError(ld.p, refLd.p, rows) < 1e-5,
                   "\(label) vs reference")
            let bytes = 4 * (4 * nd + rows + cols)
            let s = measure { t.coupling_forward(out.p, ld.p, x.p, r.p, sh.p, mask.p, Int64(rows), Int64(cols), inverse) }
            let src = Buffer(bytes / 8), dst = Buffer(bytes / 8)
            let sCopy = measure { memcpy(dst.p, src.p, bytes / 8 * 4) }
            let gbs = Double(bytes) / s / 1e9, copy = Double(bytes / 8 * 8) / sCopy / 1e9
            return BenchResult(name: label, shape: "\(rows)x\(cols) + log-det, \(isa)", value: gbs, unit: "GB/s",
                               reference: String(format: "memcpy of the same bytes %.1f GB/s", copy), ratio: gbs / copy)
        }
    }
}
