import Foundation

/// FactorVAE's discriminator (Kim & Mnih 2018): an MLP with LeakyReLU(0.2) hidden layers and two
/// logits, trained to tell codes z ~ q(z) (class 0) from codes with every dimension permuted
/// independently across the batch, z ~ prod_j q(z_j) (class 1). Its logit difference estimates
/// the total correlation (density-ratio trick). Trained by its own optimizer (the study: Adam
/// lr 1e-4, betas 0.5 / 0.9, 6 x 1000 hidden units).
///
/// ```swift
/// let disc = FactorDiscriminator(latent: 10, hidden: [1000, 1000, 1000, 1000, 1000, 1000], rng: &rng)
/// let tc = disc.totalCorrelation(pass.z)                 // in the VAE loss, times gamma
/// let dLoss = disc.loss(pass.z, rng: &rng)               // its own step
/// ```
public final class FactorDiscriminator: Module {
    /// The MLP latent -> hidden sizes -> 2, LeakyReLU(0.2) after every hidden layer and linear logits at
    /// the end.
    public let net: Sequential
    /// Training-mode flag (the MLP behaves the same in both modes).
    public var isTraining = true

    /// A discriminator on `latent`-dimensional codes with `hidden` layer sizes, initialised from `rng`.
    public init(latent: Int, hidden: [Int], rng: inout RandomGenerator) {
        net = MLP([latent] + hidden + [2], activation: .leakyReLU(0.2), rng: &rng)
    }

    /// The MLP's weights and biases under "net." ("net.0.weight", "net.0.bias", ...).
    public var namedParameters: [(name: String, parameter: Parameter)] { prefixed("net", net.namedParameters) }
    /// The MLP, whose training flag follows the discriminator's.
    public var children: [Module] { [net] }

    /// The two class logits (N, 2) of codes z (N, latent): class 0 for z ~ q(z), class 1 for permuted
    /// codes.
    public func logits(_ z: Tensor) -> Tensor { net(z) }

    /// The total-correlation estimate, a scalar: the batch mean of
    /// logit_0 - logit_1 = log D(z) / (1 - D(z)).
    public func totalCorrelation(_ z: Tensor) -> Tensor {
        let l = logits(z)
        return (l.slice(axis: 1, 0..<1) - l.slice(axis: 1, 1..<2)).mean()
    }

    /// Cross-entropy of the discriminator on z (class 0) and its dimension-wise permutation
    /// (class 1), each half weighted 1/2. `z` is detached: no gradient reaches the encoder.
    public func loss(_ z: Tensor, rng: inout RandomGenerator) -> Tensor {
        let real = z.detached()
        let permuted = permuteDimensions(real, rng: &rng)
        let a = logits(real), b = logits(permuted)
        // log softmax of two classes: log p_0 = -softplus(l_1 - l_0).
        let logP0 = -softplus(a.slice(axis: 1, 1..<2) - a.slice(axis: 1, 0..<1))
        let logP1 = -softplus(b.slice(axis: 1, 0..<1) - b.slice(axis: 1, 1..<2))
        return (logP0.mean() + logP1.mean()) * -0.5
    }
}

/// Each column of z (N, D) permuted independently across the batch: samples of prod_j q(z_j).
public func permuteDimensions(_ z: Tensor, rng: inout RandomGenerator) -> Tensor {
    let n = z.shape[0], d = z.shape[1]
    let v = z.scalars
    var out = [Float](repeating: 0, count: n * d)
    for j in 0..<d {
        let p = rng.permutation(n)
        for i in 0..<n { out[i * d + j] = v[p[i] * d + j] }
    }
    return Tensor(shape: [n, d], scalars: out)
}
