/// The two generator objectives of Goodfellow et al. (2014), and the
/// discriminator's cross-entropy, all written on logits l = logit D(x) so that
/// log D = -softplus(-l) and log(1 - D) = -softplus(l) never overflow.
///
/// The value function is V(G, D) = E_pi[log D(x)] + E_p[log(1 - D(G(z)))].
/// D maximises V; its loss is -V. The generator either minimises V itself
/// (`.minimax`: minimise E log(1 - D(G(z))), whose gradient vanishes when D
/// rejects the fakes confidently) or maximises E log D(G(z)) (`.nonSaturating`,
/// same fixed point, strong gradients early in training).
///
/// ```swift
/// let dLoss = GANLoss.discriminator(realLogits: D(x), fakeLogits: D(fake.detached()))
/// let gLoss = GANLoss.nonSaturating.generator(fakeLogits: D(fake))
/// ```
public enum GANLoss: String, CaseIterable, Sendable {
    case minimax
    case nonSaturating = "non-saturating"

    /// -V(G, D) estimated on a batch: mean softplus(-l_real) + mean softplus(l_fake).
    public static func discriminator(realLogits: Tensor, fakeLogits: Tensor) -> Tensor {
        softplus(-realLogits).mean() + softplus(fakeLogits).mean()
    }

    /// The generator's loss on the discriminator's logits for generated samples.
    /// `.minimax`: E log(1 - D) = -mean softplus(l); `.nonSaturating`: -E log D = mean softplus(-l).
    public func generator(fakeLogits: Tensor) -> Tensor {
        switch self {
        case .minimax: -softplus(fakeLogits).mean()
        case .nonSaturating: softplus(-fakeLogits).mean()
        }
    }
}
