import CLatent
import Synchronization

// The Swift side of most of the C core (CLatent): the kernel table's
// element-wise, activation, reduction, batch-norm, covariance and Adam
// kernels, the matrix products (lt_sgemm*), the convolutions, random numbers,
// streaming moments, thread counts and the runtime info behind RuntimeInfo;
// plus the pointer loops over tensor storage for layout (strided copies, row
// gathers and scatters). Everything here is internal: it takes and returns
// contiguous tensors, knows nothing about the tape, and checks little beyond
// what the public ops have already checked (the broadcasting kernel's rank
// limit, an internal misuse of conv2dBackward).
//
// Other files of the Latent module that call the C core directly:
//   - Core/FlowKernels.swift: the fused affine coupling (the table's
//     coupling_forward / coupling_backward) and the periodic convolution's
//     FFT calls (lt_periodic_*), as an extension of K kept apart so the two
//     files change independently;
//   - Core/RuntimeInfo.swift: lt_use_own_gemm() in useFastestBLASKernels(),
//     which skips the OpenBLAS re-exec when the own GEMM does the products;
//   - Runs/Interruption.swift: the process-wide signal flag (lt_signal_catch,
//     lt_signal_received, lt_signal_default, lt_signal_clear).
// Ops/Elementwise.swift, Ops/Reductions.swift and Ops/Convolution.swift
// import CLatent only for the op codes (lt_binary_op, lt_unary_op,
// lt_reduce_op) they hand to K, and Ops/Activations.swift imports it without
// using a C name; none of them calls a C function. Outside the module,
// bench/LatentBench (main.swift, KernelBenchmarks.swift) and the kernel,
// GEMM, threading and random-number tests call the C core directly too.

enum Activation: Equatable {
    case identity, relu, leakyReLU(Float), elu(Float), tanh, sigmoid, softplus, exp

    var code: lt_act {
        switch self {
        case .identity: LT_ACT_IDENTITY
        case .relu: LT_ACT_RELU
        case .leakyReLU: LT_ACT_LEAKY_RELU
        case .elu: LT_ACT_ELU
        case .tanh: LT_ACT_TANH
        case .sigmoid: LT_ACT_SIGMOID
        case .softplus: LT_ACT_SOFTPLUS
        case .exp: LT_ACT_EXP
        }
    }

    var alpha: Float {
        switch self {
        case .leakyReLU(let a), .elu(let a): a
        default: 0
        }
    }
}

enum K {
    static var table: UnsafePointer<lt_kernel_table> { lt_kernels() }

    // MARK: element-wise

    static func binary(_ op: lt_binary_op, _ a: Tensor, _ b: Tensor, name: String) -> Tensor {
        let outShape = Shape.broadcast(a.shape, b.shape, op: name)
        check(outShape.count <= Int(LT_MAX_DIMS), "\(name): rank \(outShape.count) exceeds \(LT_MAX_DIMS)")
        let out = Tensor.uninitialized(outShape)
        if out.count == 0 { return out }
        // Rank-0 operands become [1] so the kernel always sees at least one dim.
        let shape = outShape.isEmpty ? [1] : outShape
        let sa = a.shape.isEmpty ? [Int](repeating: 0, count: shape.count) : Shape.broadcastStrides(a.shape, to: shape)
        let sb = b.shape.isEmpty ? [Int](repeating: 0, count: shape.count) : Shape.broadcastStrides(b.shape, to: shape)
        let dims = shape.map(Int64.init), stridesA = sa.map(Int64.init), stridesB = sb.map(Int64.init)
        table.pointee.binary(out.base, a.base, stridesA, b.base, stridesB, dims, Int32(shape.count), op)
        return out
    }

    static func unary(_ op: lt_unary_op, _ x: Tensor) -> Tensor {
        let out = Tensor.uninitialized(x.shape)
        table.pointee.unary(out.base, x.base, Int64(x.count), op)
        return out
    }

    /// y = act(x + bias) with x viewed as (rows, cols).
    static func biasAct(_ x: Tensor, bias: Tensor?, _ act: Activation, cols: Int) -> Tensor {
        let out = Tensor.uninitialized(x.shape)
        let rows = cols == 0 ? 0 : x.count / cols
        table.pointee.bias_act_forward(out.base, x.base, bias?.base, Int64(rows), Int64(cols), act.code, act.alpha)
        return out
    }

    /// dx = dy * act'(x) given the pre-activation x and output y.
    static func actBackward(_ dy: Tensor, x: Tensor, y: Tensor, _ act: Activation) -> Tensor {
        let out = Tensor.uninitialized(dy.shape)
        table.pointee.act_backward(out.base, dy.base, x.base, y.base, Int64(dy.count), act.code, act.alpha)
        return out
    }

    /// out = a*x + b*y.
    static func axpby(_ x: Tensor, _ a: Float, _ y: Tensor, _ b: Float) -> Tensor {
        let out = Tensor.uninitialized(x.shape)
        table.pointee.axpby(out.base, x.base, y.base, Int64(x.count), a, b)
        return out
    }

    /// Reduces the middle axis of x viewed as (outer, n, inner).
    static func reduce(_ x: Tensor, outer: Int, n: Int, inner: Int, _ op: lt_reduce_op, outShape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(outShape)
        table.pointee.reduce(out.base, x.base, Int64(outer), Int64(n), Int64(inner), op)
        return out
    }

    /// Element-wise Swift function (for special functions without a C kernel).
    static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let out = Tensor.uninitialized(x.shape)
        for i in 0..<x.count { out.base[i] = f(x.base[i]) }
        return out
    }

    // MARK: layout

    /// Contiguous copy of the strided view (offset, strides, shape) of `x`'s storage.
    /// Strides may be negative (flip) or zero (broadcast).
    static func gatherStrided(_ x: Tensor, offset: Int, strides: [Int], shape: [Int]) -> Tensor {
        let out = Tensor.uninitialized(shape)
        let n = out.count
        if n == 0 { return out }
        let src = x.base, dst = out.base
        let r = shape.count
        if r == 0 { dst[0] = src[offset]; return out }
        let inner = shape[r - 1], innerStride = strides[r - 1]
        var index = [Int](repeating: 0, count: r)
        var srcPos = offset
        var o = 0
        while o < n {
            if innerStride == 1 {
                (dst + o).update(from: src + srcPos, count: inner)
            } else {
                var p = srcPos
                for j in 0..<inner { dst[o + j] = src[p]; p += innerStride }
            }
            o += inner
            // Odometer over the outer dims.
            var d = r - 2
            while d >= 0 {
                index[d] += 1
                srcPos += strides[d]
                if index[d] < shape[d] { break }
                srcPos -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }

    /// Adds `src` (contiguous, `shape`) into the strided view (offset, strides) of `dst`.
    static func scatterAddStrided(into dst: inout Tensor, offset: Int, strides: [Int], shape: [Int], from src: Tensor) {
        let n = src.count
        if n == 0 { return }
        dst.withUnsafeMutableBufferPointer { d in
            let s = src.base
            let r = shape.count
            if r == 0 { d[offset] += s[0]; return }
            var index = [Int](repeating: 0, count: r)
            var pos = offset
            let inner = shape[r - 1], innerStride = strides[r - 1]
            var o = 0
            while o < n {
                var p = pos
                for j in 0..<inner { d[p] += s[o + j]; p += innerStride }
                o += inner
                var k = r - 2
                while k >= 0 {
                    index[k] += 1
                    pos += strides[k]
                    if index[k] < shape[k] { break }
                    pos -= strides[k] * shape[k]
                    index[k] = 0
                    k -= 1
                }
            }
        }
    }

    /// Rows of a (rows, width) tensor picked by index.
    static func gatherRows(_ x: Tensor, rows: [Int], width: Int) -> Tensor {
        let out = Tensor.uninitialized([rows.count, width])
        for (i, r) in rows.enumerated() {
            (out.base + i * width).update(from: x.base + r * width, count: width)
        }
        return out
    }

    /// out(count, width) zeros, with g's rows added at the given row indices.
    static func scatterAddRows(_ g: Tensor, rows: [Int], count: Int, width: Int) -> Tensor {
        let out = Tensor.zeros([count, width])
        for (i, r) in rows.enumerated() {
            let d = out.base + r * width, s = g.base + i * width
            for j in 0..<width { d[j] += s[j] }
        }
        return out
    }

    /// Copies `src` into `dst` starting at element `at` (dst must be uniquely owned, fresh).
    static func copy(_ src: Tensor, into dst: Tensor, at: Int) {
        (dst.base + at).update(from: src.base, count: src.count)
    }

    // MARK: matrix multiply

    /// C = op(A) op(B) for 2-D or batched 3-D tensors (batch dims must agree or be 1-batch broadcasts).
    static func matmul(_ a: Tensor, transposeA ta: Bool, _ b: Tensor, transposeB tb: Bool, m: Int, n: Int, k: Int, batch: Int, strideA: Int, strideB: Int) -> Tensor {
        let out = Tensor.uninitialized(batch == 0 ? [m, n] : [batch, m, n])
        let lda = ta ? m : k, ldb = tb ? k : n
        if batch == 0 {
            lt_sgemm(ta ? 1 : 0, tb ? 1 : 0, Int32(m), Int32(n), Int32(k), 1, a.base, Int32(lda), b.base, Int32(ldb), 0, out.base, Int32(n))
        } else {
            lt_sgemm_strided_batched(ta ? 1 : 0, tb ? 1 : 0, Int32(m), Int32(n), Int32(k), 1,
                                     a.base, Int32(lda), Int64(strideA), b.base, Int32(ldb), Int64(strideB),
                                     0, out.base, Int32(n), Int64(m * n), Int32(batch))
        }
        return out
    }

    /// act(x W^T + bias) for x (m, k) and W (n, k): one pass when the GEMM can
    /// fuse the bias and activation into its stores (lt_sgemm_bias_act).
    static func linear(_ x: Tensor, _ w: Tensor, bias: Tensor?, _ act: Activation, m: Int, n: Int, k: Int) -> Tensor {
        let out = Tensor.uninitialized([m, n])
        lt_sgemm_bias_act(0, 1, Int32(m), Int32(n), Int32(k), x.base, Int32(k), w.base, Int32(k), bias?.base, act.code, act.alpha, out.base)
        return out
    }

    // MARK: convolution

    struct ConvGeometry {
        var n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow: Int
        var workspace: Int { Int(lt_conv2d_workspace(Int32(n), Int32(c), Int32(o), Int32(kh), Int32(kw), Int32(oh), Int32(ow))) }
        var args: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) {
            (Int32(n), Int32(c), Int32(h), Int32(w), Int32(o), Int32(kh), Int32(kw), Int32(sh), Int32(sw), Int32(ph), Int32(pw), Int32(oh), Int32(ow))
        }
    }

    static func conv2dForward(_ x: Tensor, _ w: Tensor, bias: Tensor?, _ g: ConvGeometry) -> Tensor {
        let y = Tensor.uninitialized([g.n, g.o, g.oh, g.ow])
        let a = g.args
        Scratch.with(g.workspace) { work in
            lt_conv2d_forward_f32(y.base, x.base, w.base, bias?.base, work, a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7, a.8, a.9, a.10, a.11, a.12)
        }
        return y
    }

    /// Returns (dx, dw, dbias) for y = conv(x, w) + bias with output gradient dy.
    /// `x` is only read for dw (may be nil otherwise).
    static func conv2dBackward(_ dy: Tensor, x: Tensor?, w: Tensor, _ g: ConvGeometry, needX: Bool, needW: Bool, needBias: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let dx = needX ? Tensor.uninitialized([g.n, g.c, g.h, g.w]) : nil
        let dw = needW ? Tensor.zeros(w.shape) : nil
        let db = needBias ? Tensor.zeros([g.o]) : nil
        check(!needW || x != nil, "internal: conv2dBackward needs x for dw")
        let a = g.args
        Scratch.with(g.workspace) { work in
            lt_conv2d_backward_f32(dx?.base, dw?.base, db?.base, dy.base, x?.base, w.base, work, a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7, a.8, a.9, a.10, a.11, a.12)
        }
        return (dx, dw, db)
    }

    /// Backward of a transposed convolution whose adjoint conv has geometry `g`:
    /// (dx, dw) from the output gradient dy and the input x, one im2col of dy for both.
    static func convTranspose2dBackward(_ dy: Tensor, x: Tensor, w: Tensor, _ g: ConvGeometry, needX: Bool, needW: Bool) -> (Tensor?, Tensor?) {
        let dx = needX ? Tensor.uninitialized(x.shape) : nil
        let dw = needW ? Tensor.zeros(w.shape) : nil
        let a = g.args
        Scratch.with(g.workspace) { work in
            lt_conv_transpose2d_backward_f32(dx?.base, dw?.base, dy.base, x.base, w.base, work, a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7, a.8, a.9, a.10, a.11, a.12)
        }
        return (dx, dw)
    }

    // MARK: batch normalisation

    /// (y, mean, var) of batch norm over x (N, C) or (N, C, H, W). With mean and
    /// variance given (evaluation) they are used and returned as they are.
    static func batchNormForward(_ x: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor?, variance: Tensor?, epsilon: Float) -> (Tensor, Tensor, Tensor) {
        let n = x.shape[0], c = x.shape[1], hw = x.count / max(n * c, 1)
        let y = Tensor.uninitialized(x.shape)
        let training = mean == nil
        let mu = mean?.detached() ?? Tensor.uninitialized([c]), v = variance?.detached() ?? Tensor.uninitialized([c])
        table.pointee.batchnorm_forward(y.base, mu.base, v.base, x.base, gamma.base, beta.base, Int64(n), Int64(c), Int64(hw), epsilon, training ? 1 : 0)
        return (y, mu, v)
    }

    /// (dx, dgamma, dbeta) of batch norm.
    static func batchNormBackward(_ dy: Tensor, x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor, epsilon: Float, training: Bool) -> (Tensor, Tensor, Tensor) {
        let n = x.shape[0], c = x.shape[1], hw = x.count / max(n * c, 1)
        let dx = Tensor.uninitialized(x.shape), dgamma = Tensor.uninitialized([c]), dbeta = Tensor.uninitialized([c])
        table.pointee.batchnorm_backward(dx.base, dgamma.base, dbeta.base, dy.base, x.base, mean.base, variance.base, gamma.base,
                                         Int64(n), Int64(c), Int64(hw), epsilon, training ? 1 : 0)
        return (dx, dgamma, dbeta)
    }

    // MARK: covariance

    static func covariance(_ x: Tensor) -> (cov: Tensor, mean: Tensor) {
        let n = x.shape[0], d = x.shape[1]
        let cov = Tensor.uninitialized([d, d]), mean = Tensor.uninitialized([d])
        table.pointee.cov_forward(cov.base, mean.base, x.base, Int64(n), Int64(d))
        return (cov, mean)
    }

    static func covarianceBackward(_ dcov: Tensor, x: Tensor, mean: Tensor) -> Tensor {
        let dx = Tensor.uninitialized(x.shape)
        table.pointee.cov_backward(dx.base, dcov.base, x.base, mean.base, Int64(x.shape[0]), Int64(x.shape[1]))
        return dx
    }

    // MARK: optimizers

    static func adamStep(_ p: inout Tensor, _ g: Tensor, _ m: inout Tensor, _ v: inout Tensor, lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float, bc1: Float, bc2: Float, decoupled: Bool) {
        p.withUnsafeMutableBufferPointer { pp in
            m.withUnsafeMutableBufferPointer { mm in
                v.withUnsafeMutableBufferPointer { vv in
                    table.pointee.adam_step(pp.baseAddress!, g.base, mm.baseAddress!, vv.baseAddress!, Int64(pp.count), lr, beta1, beta2, eps, weightDecay, bc1, bc2, decoupled ? 1 : 0)
                }
            }
        }
    }

    // MARK: random

    static func uniform(_ shape: [Int], seed: UInt64, stream: UInt64, offset: UInt64) -> Tensor {
        let out = Tensor.uninitialized(shape)
        lt_random_uniform_f32(out.base, Int64(out.count), seed, stream, offset)
        return out
    }

    static func normal(_ shape: [Int], seed: UInt64, stream: UInt64, offset: UInt64) -> Tensor {
        let out = Tensor.uninitialized(shape)
        lt_random_normal_f32(out.base, Int64(out.count), seed, stream, offset)
        return out
    }

    static func bits(_ n: Int, seed: UInt64, stream: UInt64, offset: UInt64) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { lt_random_bits_u32($0.baseAddress!, Int64(n), seed, stream, offset) }
        return out
    }

    // MARK: moments

    static func momentsUpdate(count: inout Int64, mean: inout [Double], comoment: inout [Double], x: Tensor) {
        let n = x.shape[0], d = x.shape[1]
        var scratch = [Double](repeating: 0, count: max(n * d, 1))
        mean.withUnsafeMutableBufferPointer { mp in
            comoment.withUnsafeMutableBufferPointer { cp in
                scratch.withUnsafeMutableBufferPointer { sp in
                    lt_moments_update(&count, mp.baseAddress!, cp.baseAddress!, x.base, Int64(n), Int64(d), sp.baseAddress!)
                }
            }
        }
    }

    static func momentsMerge(count: inout Int64, mean: inout [Double], comoment: inout [Double], otherCount: Int64, otherMean: [Double], otherComoment: [Double]) {
        let d = mean.count
        mean.withUnsafeMutableBufferPointer { mp in
            comoment.withUnsafeMutableBufferPointer { cp in
                lt_moments_merge(&count, mp.baseAddress!, cp.baseAddress!, otherCount, otherMean, otherComoment, Int64(d))
            }
        }
    }

    // MARK: runtime info

    static var isaName: String { String(cString: table.pointee.name) }
    static var blasConfig: String { String(cString: lt_blas_config()) }
    static var blasCore: String { String(cString: lt_blas_corename()) }
    static var blasThreads: Int { Int(lt_blas_threads()) }
    static var threads: Int { Int(lt_threads()) }
    static var gemmName: String { String(cString: lt_gemm_name()) }
    static func setBlasThreads(_ n: Int) { lt_blas_set_threads(Int32(n)) }
    static var fftwVersion: String { String(cString: lt_fftw_version()) }
    static var cpuHasAVX2FMA: Bool { lt_cpu_has_avx2_fma() != 0 }
    static var cpuHasAVX512: Bool { lt_cpu_has_avx512() != 0 }
}

/// Scratch buffers the kernels borrow for one call (conv col buffers): reused
/// across calls and steps instead of a fresh multi-megabyte allocation (and its
/// page faults) per op. Thread-safe; at most a few buffers are kept.
enum Scratch {
    private static let pool = Mutex<[TensorStorage]>([])

    static func with<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let buffer = pool.withLock { free -> TensorStorage in
            // The smallest free buffer that is big enough, else a new one.
            if let i = free.indices.filter({ free[$0].count >= count }).min(by: { free[$0].count < free[$1].count }) {
                return free.remove(at: i)
            }
            return TensorStorage(count: count)
        }
        defer {
            pool.withLock { free in
                free.append(buffer)
                if free.count > 4 { free.remove(at: free.indices.min(by: { free[$0].count < free[$1].count })!) }
            }
        }
        return body(buffer.base)
    }
}

extension Tensor {
    /// self + other, reusing self's storage when it is not shared (gradient accumulation).
    func addingInPlace(_ other: Tensor) -> Tensor {
        var r = self
        r.node = nil
        if r.shape == other.shape {
            r.withUnsafeMutableBufferPointer { p in
                K.table.pointee.axpby(p.baseAddress!, p.baseAddress!, other.base, Int64(p.count), 1, 1)
            }
            return r
        }
        return K.binary(LT_BIN_ADD, r, other, name: "add")
    }
}
