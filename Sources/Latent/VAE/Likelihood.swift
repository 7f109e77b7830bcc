import Foundation

/// The decoder's distribution p(x|z) given the decoder's output tensor (N, C, H, W).
public enum LikelihoodKind: String, Sendable, CaseIterable {
    /// Bernoulli with the decoder output as logits (targets in [0, 1], as disentanglement_lib).
    case bernoulli
    /// Gaussian with the decoder output as mean and a fixed variance.
    case gaussian
    /// Gaussian with the decoder output as mean and a learned log-variance per pixel.
    case gaussianLearned = "gaussian-learned"
}

/// log p(x|z) of a decoder output, and the image it stands for.
///
/// ```swift
/// let lik = DecoderLikelihood(.bernoulli, observationShape: [1, 28, 28])
/// let logp = lik.logProbability(decoder(z), x)     // (N), nats
/// let img = lik.mean(decoder(z))                   // sigmoid(logits)
/// ```
public final class DecoderLikelihood: Module {
    /// Which distribution p(x|z) is: Bernoulli on logits, or Gaussian with fixed or learned variance.
    public let kind: LikelihoodKind
    /// Fixed log-variance of the `.gaussian` kind.
    public let fixedLogVariance: Float
    /// Learned per-pixel log-variance (`.gaussianLearned`), shape (C*H*W).
    public let logVariance: Parameter?
    /// Training-mode flag (the likelihood behaves the same in both modes).
    public var isTraining = true

    /// A likelihood of `kind` for observations of `observationShape` (C, H, W): `.gaussian` uses variance
    /// exp(fixedLogVariance), `.gaussianLearned` starts its per-pixel log-variance at 0.
    public init(_ kind: LikelihoodKind, observationShape: [Int], fixedLogVariance: Float = 0) {
        self.kind = kind
        self.fixedLogVariance = fixedLogVariance
        logVariance = kind == .gaussianLearned ? Parameter(Tensor.zeros([observationShape.reduce(1, *)])) : nil
    }

    /// "log_variance" for `.gaussianLearned`; empty for the other kinds.
    public var namedParameters: [(name: String, parameter: Parameter)] { logVariance.map { [("log_variance", $0)] } ?? [] }

    /// log p(x | decoder output) per example, shape (N).
    public func logProbability(_ output: Tensor, _ x: Tensor) -> Tensor {
        let n = x.shape[0]
        let o = output.reshaped([n, -1]), t = x.reshaped([n, -1])
        switch kind {
        case .bernoulli:
            return bernoulliLogProbability(logits: o, targets: t)
        case .gaussian:
            return gaussianLogDensity(t, mean: o, logVariance: Tensor(fixedLogVariance))
        case .gaussianLearned:
            return gaussianLogDensity(t, mean: o, logVariance: logVariance!.value.reshaped([1, -1]))
        }
    }

    /// The mean of p(x|z): sigmoid(logits) or the Gaussian mean, same shape as the output.
    public func mean(_ output: Tensor) -> Tensor {
        kind == .bernoulli ? sigmoid(output) : output
    }
}
