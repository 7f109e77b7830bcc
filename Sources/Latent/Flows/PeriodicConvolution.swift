/// A periodic (circular) convolution flow on images (N, C, H, W).
///
/// A bank of C x C filters of size k x k is applied with wrap-around borders,
/// y(o) = sum_c w(o, c) (*) x(c). Circular convolution is block-diagonal in
/// the Fourier domain: at each frequency f the map is a C x C complex matrix
/// K(f), so log|det| = sum_f log|det K(f)| and the inverse solves one C x C
/// system per frequency, all through single-precision FFTW (plans made once
/// per image size). Filters start at the identity (centre tap 1) plus noise.
///
/// Gradients flow through ``forward(_:context:)`` to the input and the
/// filters; ``inverse(_:context:)`` records none.
///
/// ```swift
/// let conv = PeriodicConvolution(channels: 3, kernelSize: 3, rng: &rng)
/// let (z, logDet) = conv.forward(images)        // (N, 3, H, W)
/// let (back, _) = conv.inverse(z)
/// ```
public final class PeriodicConvolution: Flow {
    /// (C, C, k, k) filters; tap (a, b) sits at offset (a - k/2, b - k/2).
    public let weight: Parameter
    /// Training-mode flag required by ``Module``; the convolution behaves the same in both modes.
    public var isTraining = true

    /// C x C filters of size `kernelSize` starting at the identity (centre tap 1 on the diagonal)
    /// plus N(0, noise^2) noise; the FFTW kernels take at most 32 channels.
    public init(channels: Int, kernelSize: Int, noise: Float = 0.05, rng: inout RandomGenerator) {
        let k = kernelSize
        var w = rng.normal([channels, channels, k, k]) * noise
        w.withUnsafeMutableBufferPointer { p in
            for c in 0..<channels { p[((c * channels + c) * k + k / 2) * k + k / 2] += 1 }
        }
        weight = Parameter(w)
    }

    /// A convolution with the given filters (C, C, k, k), square and with as many outputs as inputs.
    public init(weight: Tensor) {
        check(weight.rank == 4 && weight.shape[0] == weight.shape[1] && weight.shape[2] == weight.shape[3],
                     "PeriodicConvolution: weight must be (C, C, k, k), got \(weight.shape)")
        self.weight = Parameter(weight)
    }

    /// The filter bank, `weight`.
    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight)] }

    private func checkShape(_ x: Tensor) {
        let c = weight.shape[0], k = weight.shape[2]
        check(x.rank == 4 && x.shape[1] == c && x.shape[2] >= k && x.shape[3] >= k,
                     "PeriodicConvolution(\(c) channels, \(k)x\(k)): input shape \(x.shape) needs (N, \(c), H >= \(k), W >= \(k))")
    }

    /// log|det| of the whole (C H W)-dimensional map for images of this size.
    public func logDeterminant(height: Int, width: Int) -> Float {
        let spec = K.periodicSpectrum(weight.value, height: height, width: width)
        return K.periodicLogDet(spec, channels: weight.shape[0], height: height, width: width)
    }

    /// Circularly convolves x (N, C, H, W), H and W at least k, with the filters; log-det per
    /// example (N), differentiable in x and the filters.
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        checkShape(x)
        return periodicConvolution(x, weight: weight.value)
    }

    /// Undoes the convolution with one C x C solve per frequency; log-det minus that of
    /// ``forward(_:context:)``, shape (N); records no gradients.
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        checkShape(z)
        let (h, wd) = (z.shape[2], z.shape[3])
        let spec = K.periodicSpectrum(weight.value, height: h, width: wd)
        let ld = K.periodicLogDet(spec, channels: weight.shape[0], height: h, width: wd)
        return (K.periodicApply(z.detached(), spec: spec, mode: 2), Tensor(repeating: -ld, shape: [z.shape[0]]))
    }
}

/// Circular convolution of x (N, C, H, W) with the filter bank w (C, C, k, k)
/// through FFTW, with its log|det| per example (N); differentiable in both.
///
/// ```swift
/// let (y, logDet) = periodicConvolution(x, weight: w)
/// ```
public func periodicConvolution(_ x: Tensor, weight w: Tensor) -> (output: Tensor, logDet: Tensor) {
    check(x.rank == 4 && w.rank == 4 && w.shape[0] == w.shape[1] && x.shape[1] == w.shape[0] && x.shape[2] >= w.shape[2] && x.shape[3] >= w.shape[3],
                 "periodicConvolution: input \(x.shape) and filters \(w.shape) need (N, C, H, W) and (C, C, k, k) with k <= H, W")
    let (h, wd) = (x.shape[2], x.shape[3])
    let k = w.shape[2]
    let spec = K.periodicSpectrum(w, height: h, width: wd)
    let ld = K.periodicLogDet(spec, channels: w.shape[0], height: h, width: wd)
    let y = K.periodicApply(x, spec: spec, mode: 0)
    let out = Tensor.record(y, inputs: [x, w], name: "periodic convolution") { g in
        // The adjoint of a real circulant-block map is K(f)^H per frequency.
        [x.isTracked ? K.periodicApply(g, spec: spec, mode: 1) : nil,
         w.isTracked ? K.periodicWeightBackward(dy: g, x: x, dlogdet: 0, spec: spec, kernelSize: k) : nil]
    }
    let logDet = Tensor.record(Tensor(repeating: ld, shape: [x.shape[0]]), inputs: [w], name: "periodic convolution log-determinant") { g in
        [K.periodicWeightBackward(dy: nil, x: x, dlogdet: g.sum().scalar, spec: spec, kernelSize: k)]
    }
    return (out, logDet)
}
