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
///
/// `.wasserstein` is the WGAN objective of Arjovsky et al. (2017): D is a critic
/// whose raw outputs (not probabilities) estimate the Wasserstein-1 distance,
/// D minimises E D(G(z)) - E D(x) and G minimises -E D(G(z)); it needs a
/// Lipschitz constraint, here ``GANPenalty/gradientPenalty(lambda:)`` (WGAN-GP).
public enum GANLoss: String, CaseIterable, Sendable {
    /// G minimises E log(1 - D(G(z))), the value function itself.
    case minimax
    /// G maximises E log D(G(z)): same fixed point, strong early gradients.
    case nonSaturating = "non-saturating"
    /// The Wasserstein critic loss and generator loss (WGAN).
    case wasserstein

    /// -V(G, D) estimated on a batch: mean softplus(-l_real) + mean softplus(l_fake).
    public static func discriminator(realLogits: Tensor, fakeLogits: Tensor) -> Tensor {
        softplus(-realLogits).mean() + softplus(fakeLogits).mean()
    }

    /// The discriminator's loss under this objective: the cross-entropy -V(G, D)
    /// (``discriminator(realLogits:fakeLogits:)``) for `.minimax` and
    /// `.nonSaturating`, mean D(G(z)) - mean D(x) for the `.wasserstein` critic.
    public func discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor) -> Tensor {
        switch self {
        case .minimax, .nonSaturating: GANLoss.discriminator(realLogits: realLogits, fakeLogits: fakeLogits)
        case .wasserstein: fakeLogits.mean() - realLogits.mean()
        }
    }

    /// The generator's loss on the discriminator's logits for generated samples.
    /// `.minimax`: E log(1 - D) = -mean softplus(l); `.nonSaturating`: -E log D = mean softplus(-l);
    /// `.wasserstein`: -mean l.
    public func generator(fakeLogits: Tensor) -> Tensor {
        switch self {
        case .minimax: -softplus(fakeLogits).mean()
        case .nonSaturating: softplus(-fakeLogits).mean()
        case .wasserstein: -fakeLogits.mean()
        }
    }

    /// Whether D's outputs are logits of a probability (false for the Wasserstein critic).
    public var hasProbabilisticDiscriminator: Bool { self != .wasserstein }
}
