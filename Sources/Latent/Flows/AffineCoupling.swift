/// The fused affine coupling transform (one C kernel each way).
///
/// With mask m (the shape of one example; 1 = passed through), raw log-scale
/// `logScale` and `shift` (the shape of `x`), and s = tanh(logScale) * (1 - m):
/// - forward: y = m x + (1 - m)(x e^s + shift), log|det| = sum s
/// - inverse: y = m x + (1 - m)(x - shift) e^-s, log|det| = -sum s
///
/// `inverse: true` selects the inverse map. Returns y and the per-example
/// log-det (N); gradients flow to `x`, `logScale` and `shift` through the tape.
///
/// ```swift
/// let (y, logDet) = affineCoupling(x, logScale: r, shift: t, mask: CouplingMask.alternating(2, parity: 0))
/// ```
public func affineCoupling(_ x: Tensor, logScale: Tensor, shift: Tensor, mask: Tensor, inverse: Bool = false) -> (output: Tensor, logDet: Tensor) {
    check(x.rank >= 2 && Array(x.shape.dropFirst()) == mask.shape,
                 "affineCoupling: input \(x.shape) does not match mask \(mask.shape) (expects (N) + mask shape)")
    check(logScale.shape == x.shape && shift.shape == x.shape,
                 "affineCoupling: logScale \(logScale.shape) and shift \(shift.shape) must have the input's shape \(x.shape)")
    let rows = x.shape[0], cols = mask.count
    let m = mask.detached()
    let (y, logDet) = K.coupling(x, r: logScale, t: shift, mask: m, rows: rows, cols: cols, inverse: inverse)
    let out = Tensor.record(y, inputs: [x, logScale, shift], name: "affine coupling") { g in
        let (dx, dr, dt) = K.couplingBackward(dout: g, dlogdet: nil, x: x, out: y, r: logScale, mask: m, rows: rows, cols: cols, inverse: inverse)
        return [dx, dr, dt]
    }
    let ld = Tensor.record(logDet, inputs: [logScale], name: "affine coupling log-determinant") { g in
        // Only the log-scale reaches the log-det.
        let (_, dr, _) = K.couplingBackward(dout: nil, dlogdet: g, x: x, out: y, r: logScale, mask: m, rows: rows, cols: cols, inverse: inverse)
        return [dr]
    }
    return (out, ld)
}

/// An affine coupling layer (RealNVP, Dinh et al. 2017) with a scale and a
/// shift network, tanh-bounded log-scale, and an optional context.
///
/// The networks see x * mask (concatenated with the context along axis 1 in a
/// conditional flow) and output tensors of x's shape. Vector data use
/// ``CouplingMask/alternating(_:parity:)``; images use checkerboard or channel
/// masks with convolutional networks.
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let layer = AffineCoupling(mask: CouplingMask.alternating(2, parity: 0), hidden: [256, 256], rng: &rng)
/// let (z, logDet) = layer.forward(x)        // x: (N, 2)
/// ```
public final class AffineCoupling: Flow {
    /// The shape of one example; 1 = passed through.
    public let mask: Tensor
    /// Network from the masked input (with any context along axis 1) to the raw log-scale, of x's
    /// shape; bounded by tanh in the coupling.
    public let scaleNet: any Layer
    /// Network from the same input to the shift, of x's shape.
    public let shiftNet: any Layer
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on both networks.
    public var isTraining = true

    /// A coupling with the given mask (the shape of one example, stored detached) and networks,
    /// which must map the masked input, with any context along axis 1, to tensors of x's shape.
    public init(mask: Tensor, scaleNet: any Layer, shiftNet: any Layer) {
        self.mask = mask.detached()
        self.scaleNet = scaleNet
        self.shiftNet = shiftNet
    }

    /// Vector data: two ReLU MLPs (D + contextFeatures) -> hidden... -> D.
    public convenience init(mask: Tensor, hidden: [Int], contextFeatures: Int = 0, rng: inout RandomGenerator) {
        check(mask.rank == 1, "AffineCoupling(hidden:): needs a 1-D mask for vector data, got shape \(mask.shape)")
        let d = mask.count
        let sizes = [d + contextFeatures] + hidden + [d]
        let s = MLP(sizes, activation: .relu, rng: &rng)
        let t = MLP(sizes, activation: .relu, rng: &rng)
        self.init(mask: mask, scaleNet: s, shiftNet: t)
    }

    /// The networks' parameters, prefixed `scale.` and `shift.`.
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("scale", scaleNet.namedParameters) + prefixed("shift", shiftNet.namedParameters)
    }
    /// The networks' buffers, prefixed `scale.` and `shift.`.
    public var namedBuffers: [(name: String, parameter: Parameter)] {
        prefixed("scale", scaleNet.namedBuffers) + prefixed("shift", shiftNet.namedBuffers)
    }
    /// The scale and shift networks.
    public var children: [Module] { [scaleNet, shiftNet] }

    private func parameters(for x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        let kept = x * mask
        let input = context.map { concatenate([kept, $0], axis: 1) } ?? kept
        return (scaleNet(input), shiftNet(input))
    }

    /// Data to noise: transforms the features where the mask is 0 given those where it is 1 (and
    /// the context); log-det sum s per example, shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (r, t) = parameters(for: x, context: context)
        return affineCoupling(x, logScale: r, shift: t, mask: mask)
    }

    /// Noise to data: exactly undoes ``forward(_:context:)``, as the networks see the same
    /// unchanged features; log-det -sum s, shape (N).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        // The kept part of z equals that of x, so the networks see the same input.
        let (r, t) = parameters(for: z, context: context)
        return affineCoupling(z, logScale: r, shift: t, mask: mask, inverse: true)
    }
}

/// A RealNVP for vector data: `layers` affine couplings with alternating masks.
///
/// ```swift
/// let model = FlowModel(flow: realNVP(dimensions: 2, layers: 8, hidden: [256, 256], rng: &rng), eventShape: [2])
/// ```
public func realNVP(dimensions: Int, layers: Int, hidden: [Int], contextFeatures: Int = 0, rng: inout RandomGenerator) -> FlowSequence {
    FlowSequence((0..<layers).map { i in
        AffineCoupling(mask: CouplingMask.alternating(dimensions, parity: i % 2), hidden: hidden, contextFeatures: contextFeatures, rng: &rng)
    })
}
