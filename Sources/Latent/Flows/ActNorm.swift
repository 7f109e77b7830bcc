import Foundation

/// Activation normalisation (Glow): y = (x + bias) * exp(logScale) per channel
/// (axis 1) of (N, C) or (N, C, H, W) data, with log|det| = H W sum(logScale).
///
/// The first forward call in training mode sets bias and logScale from the
/// batch so that the output has zero mean and unit variance per channel.
///
/// ```swift
/// let norm = ActNorm(channels: 8)
/// let (z, logDet) = norm.forward(x)     // initialises from x on the first call
/// ```
public final class ActNorm: Flow {
    /// Per-channel shift (C), added before scaling; minus the batch mean after initialisation.
    public let bias: Parameter
    /// Per-channel log of the scale factor (C); -log(std + 1e-6) of the batch after initialisation.
    public let logScale: Parameter
    /// 1 once the data-dependent initialisation has run, else 0: a buffer, so every
    /// checkpoint and state dictionary carries it and a loaded model does not
    /// initialise again.
    let initializedFlag = Parameter(moduleState: Tensor([0]))
    /// Training-mode flag required by ``Module``; in training mode the first forward call runs the
    /// data-dependent initialisation.
    public var isTraining = true

    /// An ActNorm for `channels` channels, starting as the identity (bias and logScale zero) until
    /// initialised.
    public init(channels: Int) {
        bias = Parameter(Tensor.zeros([channels]))
        logScale = Parameter(Tensor.zeros([channels]))
    }

    /// Whether the data-dependent initialisation has run.
    public var isInitialized: Bool {
        get { initializedFlag.value.scalar != 0 }
        set { initializedFlag.assign(Tensor([newValue ? 1 : 0])) }
    }

    /// The trainable parameters, `bias` and `log_scale`, each of shape (C).
    public var namedParameters: [(name: String, parameter: Parameter)] { [("bias", bias), ("log_scale", logScale)] }
    /// The initialisation flag, as the buffer `initialized` (1 once initialised).
    public var namedBuffers: [(name: String, parameter: Parameter)] { [("initialized", initializedFlag)] }

    /// Sets the parameters from a batch: bias = -mean, logScale = -log(std + 1e-6) per channel.
    public func initialize(from x: Tensor) {
        let c = bias.shape[0]
        let rows = x.rank == 4 ? x.detached().permuted([0, 2, 3, 1]).reshaped([-1, c]) : x.detached()
        let mean = rows.mean(axis: 0)
        let std = sqrt(square(rows - mean).mean(axis: 0))
        bias.assign(-mean)
        logScale.assign(-log(std + 1e-6))
        isInitialized = true
    }

    private func shapes(_ x: Tensor) -> (param: [Int], spatial: Int) {
        let c = bias.shape[0]
        check((x.rank == 2 || x.rank == 4) && x.shape[1] == c, "ActNorm(\(c)): input shape \(x.shape) needs (N, \(c)) or (N, \(c), H, W)")
        return x.rank == 4 ? ([1, c, 1, 1], x.shape[2] * x.shape[3]) : ([1, c], 1)
    }

    /// Normalises x (N, C) or (N, C, H, W) per channel, initialising from x first in training mode
    /// if needed; log-det H W sum(logScale) for every example, shape (N).
    public func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        if !isInitialized && isTraining { initialize(from: x) }
        let (p, spatial) = shapes(x)
        let y = (x + bias.value.reshaped(p)) * exp(logScale.value.reshaped(p))
        return (y, (logScale.value.sum() * Float(spatial)).expanded(to: [x.shape[0]]))
    }

    /// Undoes the normalisation, x = z exp(-logScale) - bias per channel, without ever
    /// initialising; log-det -H W sum(logScale), shape (N).
    public func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (p, spatial) = shapes(z)
        let x = z * exp(-logScale.value.reshaped(p)) - bias.value.reshaped(p)
        return (x, (logScale.value.sum() * Float(-spatial)).expanded(to: [z.shape[0]]))
    }
}
