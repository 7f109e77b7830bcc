/// Space-to-depth: (N, C, H, W) -> (N, 4C, H/2, W/2), each 2x2 patch of a
/// channel becoming 4 channels (RealNVP's squeeze). A permutation: log|det| = 0.
///
/// ```swift
/// let (z, _) = Squeeze().forward(x)       // (N, 1, 28, 28) -> (N, 4, 14, 14)
/// ```
public final class Squeeze: Flow {
    /// Training-mode flag required by ``Module``; the squeeze behaves the same in both modes.
    public var isTraining = true
    /// The squeeze permutation; it has no parameters.
    public init() {}
    /// None: the squeeze has no parameters.
    public var namedParameters: [(name: String, parameter: Parameter)] { [] }

    /// Squeezes x (N, C, H, W), H and W even, to (N, 4C, H/2, W/2); zero log-det, shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        check(x.rank == 4 && h % 2 == 0 && w % 2 == 0, "Squeeze: needs (N, C, H, W) with even H and W, got \(x.shape)")
        let y = x.reshaped([n, c, h / 2, 2, w / 2, 2]).permuted([0, 1, 3, 5, 2, 4]).reshaped([n, 4 * c, h / 2, w / 2])
        return (y, Tensor.zeros([n]))
    }

    /// Un-squeezes z (N, 4C, H, W) to (N, C, 2H, 2W); zero log-det, shape (N).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (n, c4, h, w) = (z.shape[0], z.shape[1], z.shape[2], z.shape[3])
        check(z.rank == 4 && c4 % 4 == 0, "Squeeze.inverse: needs (N, 4C, H, W), got \(z.shape)")
        let x = z.reshaped([n, c4 / 4, 2, 2, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped([n, c4 / 4, 2 * h, 2 * w])
        return (x, Tensor.zeros([n]))
    }
}

/// A flow run backwards: forward is the wrapped flow's inverse and vice versa
/// (an un-squeeze at the end of a flow gives the latent the data's shape).
///
/// ```swift
/// let unsqueeze = InverseFlow(Squeeze())    // (N, 4, 14, 14) -> (N, 1, 28, 28)
/// ```
public final class InverseFlow: Flow {
    /// The flow whose two directions are swapped.
    public let wrapped: any Flow
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on the wrapped
    /// flow.
    public var isTraining = true
    /// Wraps `wrapped` so that its inverse becomes this flow's forward.
    public init(_ wrapped: any Flow) { self.wrapped = wrapped }
    /// The wrapped flow's parameters, under their own names (no prefix).
    public var namedParameters: [(name: String, parameter: Parameter)] { wrapped.namedParameters }
    /// The wrapped flow's buffers, under their own names (no prefix).
    public var namedBuffers: [(name: String, parameter: Parameter)] { wrapped.namedBuffers }
    /// The wrapped flow.
    public var children: [Module] { [wrapped] }
    /// The wrapped flow's ``Flow/inverse(_:context:)``: its output and log-det.
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) { wrapped.inverse(x, context: context) }
    /// The wrapped flow's ``Flow/forward(_:context:)``: its output and log-det.
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) { wrapped.forward(z, context: context) }
}

/// An affine coupling for images with one small convolutional network that
/// outputs both the raw log-scale and the shift (2C channels), so the two
/// share their features and cost one pass:
/// conv 3x3 (C + context -> hidden), ReLU, conv 1x1 (hidden -> hidden), ReLU,
/// conv 3x3 (hidden -> 2C), zero-initialised so the layer starts as the identity.
///
/// ```swift
/// let mask = CouplingMask.checkerboard(channels: 1, height: 28, width: 28, parity: 0)
/// let layer = ConvCoupling(mask: mask, hidden: 32, rng: &rng)
/// let (z, logDet) = layer.forward(x)      // x: (N, 1, 28, 28)
/// ```
public final class ConvCoupling: Flow {
    /// (C, H, W); 1 = passed through.
    public let mask: Tensor
    /// The conditioner: three convolutions from the masked input (and context channels) to 2C
    /// channels, the raw log-scale then the shift.
    public let net: Sequential
    /// Training-mode flag required by ``Module``; `setTraining(_:)` also sets it on the network.
    public var isTraining = true

    /// A coupling with mask (C, H, W) and a conditioner of `hidden` channels that also reads
    /// `contextChannels` context channels; it starts as the identity.
    public init(mask: Tensor, hidden: Int, contextChannels: Int = 0, rng: inout RandomGenerator) {
        check(mask.rank == 3, "ConvCoupling: mask must be (C, H, W), got \(mask.shape)")
        let c = mask.shape[0]
        self.mask = mask.detached()
        let last = Conv2d(hidden, 2 * c, kernelSize: 3, padding: 1, rng: &rng)
        last.weight.assign(Tensor.zeros(last.weight.shape))
        last.bias?.assign(Tensor.zeros([2 * c]))
        net = Sequential([Conv2d(c + contextChannels, hidden, kernelSize: 3, padding: 1, activation: .relu, rng: &rng),
                          Conv2d(hidden, hidden, kernelSize: 1, activation: .relu, rng: &rng),
                          last])
    }

    /// The network's parameters, prefixed `net.`.
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("net", net.namedParameters) }
    /// The conditioner network.
    public var children: [Module] { [net] }

    private func parameters(for x: Tensor, context: Tensor?) -> (Tensor, Tensor) {
        let kept = x * mask
        let h = net(context.map { concatenate([kept, $0], axis: 1) } ?? kept)
        let c = mask.shape[0]
        return (h.slice(axis: 1, 0..<c), h.slice(axis: 1, c..<(2 * c)))
    }

    /// Data to noise: transforms the pixels of x (N, C, H, W) where the mask is 0 given those where
    /// it is 1 (and a context (N, contextChannels, H, W)); log-det shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (r, t) = parameters(for: x, context: context)
        return affineCoupling(x, logScale: r, shift: t, mask: mask)
    }

    /// Noise to data: the exact inverse of ``forward(_:context:)``; log-det shape (N).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (r, t) = parameters(for: z, context: context)
        return affineCoupling(z, logScale: r, shift: t, mask: mask, inverse: true)
    }
}

/// A small multi-scale-free image flow built around periodic convolutions,
/// for (C, H, W) images with even H and W (Fashion-MNIST: 1 x 28 x 28):
///
///     ActNorm, periodic conv 3x3, checkerboard coupling x 2     at C x H x W
///     squeeze                                                   -> 4C x H/2 x W/2
///     (ActNorm, periodic conv 3x3, channel coupling) x blocks   at 4C x H/2 x W/2
///     un-squeeze                                                -> C x H x W (z has the data's shape)
///
/// The periodic convolutions mix channels (and neighbouring pixels) with an
/// exact FFT log-determinant; the couplings' networks have `hidden` channels.
///
/// ```swift
/// let flow = periodicImageFlow(channels: 1, height: 28, width: 28, blocks: 4, hidden: 32, rng: &rng)
/// let model = FlowModel(flow: flow, eventShape: [1, 28, 28])
/// ```
public func periodicImageFlow(channels c: Int, height h: Int, width w: Int, blocks: Int, hidden: Int,
                              rng: inout RandomGenerator) -> FlowSequence {
    check(h % 2 == 0 && w % 2 == 0 && h >= 6 && w >= 6, "periodicImageFlow: needs even H, W >= 6, got \(h) x \(w)")
    var flows: [any Flow] = [ActNorm(channels: c), PeriodicConvolution(channels: c, kernelSize: 3, rng: &rng)]
    for p in 0..<2 {
        flows.append(ConvCoupling(mask: CouplingMask.checkerboard(channels: c, height: h, width: w, parity: p), hidden: hidden, rng: &rng))
    }
    flows.append(Squeeze())
    for b in 0..<blocks {
        flows.append(ActNorm(channels: 4 * c))
        flows.append(PeriodicConvolution(channels: 4 * c, kernelSize: 3, rng: &rng))
        flows.append(ConvCoupling(mask: CouplingMask.channel(channels: 4 * c, height: h / 2, width: w / 2, parity: b % 2), hidden: hidden, rng: &rng))
    }
    flows.append(InverseFlow(Squeeze()))
    return FlowSequence(flows)
}

/// The noise flow of variational dequantization for (C, H, W) images:
/// `layers` checkerboard couplings conditioned on the image (context channels = C).
///
/// ```swift
/// let deq = VariationalDequantization(flow: dequantizationFlow(channels: 1, height: 28, width: 28, layers: 4, hidden: 16, rng: &rng))
/// ```
public func dequantizationFlow(channels c: Int, height h: Int, width w: Int, layers: Int, hidden: Int,
                               rng: inout RandomGenerator) -> FlowSequence {
    FlowSequence((0..<layers).map { p in
        ConvCoupling(mask: CouplingMask.checkerboard(channels: c, height: h, width: w, parity: p % 2), hidden: hidden,
                     contextChannels: c, rng: &rng)
    })
}

extension Module {
    /// Every ActNorm in this module's tree, depth first in `children` order (older checkpoints
    /// stored their initialised flags as a comma-separated list in this order).
    public var actNorms: [ActNorm] {
        var out: [ActNorm] = []
        func visit(_ m: Module) {
            if let a = m as? ActNorm { out.append(a) }
            for c in m.children { visit(c) }
        }
        visit(self)
        return out
    }
}
