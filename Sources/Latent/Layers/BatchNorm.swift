/// Batch normalisation over the channel axis 1 of (N, C) or (N, C, H, W).
///
/// Training: normalises with the biased batch variance and updates running
/// statistics with the unbiased one (as PyTorch). Evaluation: uses the running
/// statistics.
public final class BatchNorm: Layer {
    /// The per-channel scale gamma, shape (C), initialised to ones; saved as `weight`.
    public let weight: Parameter
    /// The per-channel shift beta, shape (C), initialised to zeros; saved as `bias`.
    public let bias: Parameter
    /// The running mean per channel, shape (C), starting at zeros: a buffer
    /// (`running_mean`) that training mode updates and evaluation mode uses.
    public let runningMean: Parameter
    /// The running unbiased variance per channel, shape (C), starting at ones: a
    /// buffer (`running_var`) that training mode updates and evaluation mode uses.
    public let runningVar: Parameter
    /// The constant added to the variance before its square root (default 1e-5).
    public let epsilon: Float
    /// The weight of the current batch in the running statistics (default 0.1):
    /// running = (1 - momentum) * running + momentum * batch, as in PyTorch.
    public let momentum: Float
    /// True: normalise with the batch statistics and update the running ones;
    /// false: normalise with the running statistics.
    public var isTraining = true

    /// Creates batch normalisation over `features` channels: gamma ones, beta
    /// zeros, running mean 0 and running variance 1.
    public init(_ features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1) {
        weight = Parameter(Tensor.ones([features]))
        bias = Parameter(Tensor.zeros([features]))
        runningMean = Parameter(Tensor.zeros([features]))
        runningVar = Parameter(Tensor.ones([features]))
        self.epsilon = epsilon
        self.momentum = momentum
    }

    /// The trainable `weight` (gamma) and `bias` (beta).
    public var namedParameters: [(name: String, parameter: Parameter)] { [("weight", weight), ("bias", bias)] }
    /// The running statistics `running_mean` and `running_var`: saved in a
    /// checkpoint, never updated by an optimizer.
    public var namedBuffers: [(name: String, parameter: Parameter)] { [("running_mean", runningMean), ("running_var", runningVar)] }

    /// Normalises `x` of shape (N, C) or (N, C, H, W) per channel, then scales by
    /// gamma and shifts by beta; the output has the shape of `x`.
    ///
    /// In training mode the batch mean and biased variance normalise and the
    /// running statistics are updated (more than one value per channel is needed);
    /// in evaluation mode the running statistics normalise. Another shape stops the
    /// program with a message naming it. One fused C kernel per direction over NCHW
    /// (no channels-last copies); `composed(_:)` is the same layer written with
    /// tensor ops, the reference.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let c = weight.shape[0]
        check((x.rank == 2 || x.rank == 4) && x.shape[1] == c, "BatchNorm(\(c)): input shape \(x.shape) needs (N, \(c)) or (N, \(c), H, W)")
        let m = x.count / max(c, 1)
        let training = isTraining
        if training { check(m > 1, "BatchNorm: training needs more than one value per channel, input shape \(x.shape)") }
        let gamma = weight.value, beta = bias.value
        let (y, mean, variance) = K.batchNormForward(x, gamma: gamma, beta: beta,
                                                     mean: training ? nil : runningMean.value, variance: training ? nil : runningVar.value,
                                                     epsilon: epsilon)
        if training {
            let unbiased = variance * (Float(m) / Float(m - 1))
            runningMean.assign(runningMean.value.detached() * (1 - momentum) + mean * momentum)
            runningVar.assign(runningVar.value.detached() * (1 - momentum) + unbiased * momentum)
        }
        let eps = epsilon
        return Tensor.record(y, inputs: [x, gamma, beta], name: "batchNorm") { g in
            let (dx, dgamma, dbeta) = K.batchNormBackward(g, x: x, mean: mean, variance: variance, gamma: gamma, epsilon: eps, training: training)
            return [x.isTracked ? dx : nil, gamma.isTracked ? dgamma : nil, beta.isTracked ? dbeta : nil]
        }
    }

    /// The layer composed from tensor ops over a channels-last copy: the
    /// reference the fused kernels are tested against (updates the running
    /// statistics the same way).
    func composed(_ x: Tensor) -> Tensor {
        let c = weight.shape[0]
        // Channels last as rows of (M, C).
        let rows = x.rank == 4 ? x.permuted([0, 2, 3, 1]).reshaped([-1, c]) : x
        let m = rows.shape[0]
        let normalized: Tensor
        if isTraining {
            let mean = rows.mean(axis: 0)
            let centered = rows - mean
            let variance = square(centered).mean(axis: 0)
            normalized = centered / sqrt(variance + epsilon)
            let unbiased = variance.detached() * (Float(m) / Float(m - 1))
            runningMean.assign(runningMean.value.detached() * (1 - momentum) + mean.detached() * momentum)
            runningVar.assign(runningVar.value.detached() * (1 - momentum) + unbiased * momentum)
        } else {
            normalized = (rows - runningMean.value.detached()) / sqrt(runningVar.value.detached() + epsilon)
        }
        let y = normalized * weight.value + bias.value
        if x.rank == 4 {
            return y.reshaped([x.shape[0], x.shape[2], x.shape[3], c]).permuted([0, 3, 1, 2])
        }
        return y
    }
}
