import Foundation

/// A gradient penalty on the discriminator, added to its loss at every
/// discriminator step. Both are built from a recorded input gradient
/// (``gradients(of:wrt:createGraph:)`` with `createGraph: true`), so the
/// discriminator's parameters get the penalty's exact gradient; the
/// discriminator may hold only ops with a recorded backward (BatchNorm has
/// none: use an MLP or a convolutional critic without it).
///
/// - `r1(gamma:)`: R1 of Mescheder, Geiger and Nowozin (2018), (gamma / 2)
///   E_real ||grad_x D(x)||^2 on the logit D(x), pushing D's gradient to zero on
///   the data; it makes the non-saturating GAN converge locally.
/// - `gradientPenalty(lambda:)`: WGAN-GP of Gulrajani et al. (2017),
///   lambda E (||grad D(x_hat)||_2 - 1)^2 at x_hat = eps x + (1 - eps) G(z), eps ~
///   U[0, 1] per example: a soft 1-Lipschitz constraint for the Wasserstein
///   critic (``GANLoss/wasserstein``).
///
/// On the command line: `--penalty r1:10`, `--penalty gp:10`, `--penalty none`.
public enum GANPenalty: Equatable, Sendable, CustomStringConvertible {
    /// No penalty.
    case none
    /// R1 with weight `gamma` (the loss adds gamma / 2 times the mean squared gradient norm on real data).
    case r1(gamma: Float)
    /// WGAN-GP with weight `lambda` on interpolates between real and generated examples.
    case gradientPenalty(lambda: Float)

    /// Parses `none`, `r1:GAMMA` or `gp:LAMBDA` (a weight that is a finite number >= 0);
    /// throws a ``LatentError`` naming the accepted forms otherwise.
    public init(parsing text: String) throws {
        if text == "none" { self = .none; return }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let weight = Float(parts[1]), weight.isFinite, weight >= 0, ["r1", "gp"].contains(parts[0]) else {
            throw LatentError("--penalty must be none, r1:GAMMA or gp:LAMBDA with a number >= 0, got '\(text)'")
        }
        self = parts[0] == "r1" ? .r1(gamma: weight) : .gradientPenalty(lambda: weight)
    }

    /// The command-line form: `none`, `r1:10`, `gp:10`.
    public var description: String {
        switch self {
        case .none: "none"
        case .r1(let gamma): "r1:\(Self.format(gamma))"
        case .gradientPenalty(let lambda): "gp:\(Self.format(lambda))"
        }
    }

    private static func format(_ v: Float) -> String {
        v == v.rounded() && Swift.abs(v) < 1e7 ? String(Int(v)) : String(v)
    }

    /// The penalty for one discriminator step (a tracked scalar), or nil for `.none`.
    /// `discriminator` maps a batch to logits (N, 1); `fake` is used by the gradient
    /// penalty only, `rng` draws its interpolation weights.
    public func value(discriminator: (Tensor) -> Tensor, real: Tensor, fake: Tensor, rng: inout RandomGenerator) -> Tensor? {
        switch self {
        case .none: nil
        case .r1(let gamma): r1Penalty(discriminator: discriminator, real: real, gamma: gamma)
        case .gradientPenalty(let lambda): wganGradientPenalty(discriminator: discriminator, real: real, fake: fake, lambda: lambda, rng: &rng)
        }
    }
}

/// Squared L2 norm of each example's gradient (all axes but the first summed): (N).
private func squaredNormPerExample(_ g: Tensor) -> Tensor {
    square(g).reshaped([g.shape[0], -1]).sum(axis: 1)
}

/// R1: (gamma / 2) mean over the batch of ||grad_x D(x)||^2 at the real examples,
/// differentiable in the discriminator's parameters (Mescheder et al. 2018).
/// The gradient is taken with respect to `real` as data: nothing upstream of it
/// receives a gradient.
///
/// ```swift
/// let penalty = r1Penalty(discriminator: gan.logits, real: x, gamma: 10)
/// backward(dLoss + penalty, to: gan.discriminator.parameters)
/// ```
public func r1Penalty(discriminator: (Tensor) -> Tensor, real: Tensor, gamma: Float) -> Tensor {
    let x = real.detached().tracked()
    let g = gradients(of: discriminator(x).sum(), wrt: [x], createGraph: true)[0]
    return squaredNormPerExample(g).mean() * (gamma / 2)
}

/// WGAN-GP: lambda mean over the batch of (||grad D(x_hat)||_2 - 1)^2 at
/// x_hat = eps real + (1 - eps) fake with one eps ~ U[0, 1] per example
/// (Gulrajani et al. 2017), differentiable in the discriminator's parameters.
/// `real` and `fake` must have the same shape; both are treated as data.
public func wganGradientPenalty(discriminator: (Tensor) -> Tensor, real: Tensor, fake: Tensor, lambda: Float,
                                rng: inout RandomGenerator) -> Tensor {
    check(real.shape == fake.shape, "wganGradientPenalty: real \(real.shape) and fake \(fake.shape) differ in shape")
    let n = real.shape[0]
    let eps = rng.uniform([n] + [Int](repeating: 1, count: real.rank - 1))
    let x = (real.detached() * eps + fake.detached() * (1 - eps)).detached().tracked()
    let g = gradients(of: discriminator(x).sum(), wrt: [x], createGraph: true)[0]
    // sqrt at 0 has an infinite slope: a tiny floor keeps the norm's gradient finite.
    let norm = sqrt(squaredNormPerExample(g) + 1e-12)
    return square(norm - 1).mean() * lambda
}
