import Foundation

/// The settings of a GAN run as `latent train gan` takes them, with every
/// default in one place, and the one function that turns them into the run's
/// ``RunConfig`` (which ``GANSession`` and ``GANRun/makeModel(_:path:rng:)``
/// read back). A nil setting takes its default, which can depend on the data
/// (2-D toys or images) and on the loss (WGAN-GP's published settings,
/// Gulrajani et al. 2017 Algorithm 1, for `wasserstein`: k 5, lr 1e-4, betas 0
/// and 0.9).
public struct GANOptions: Sendable {
    /// Data set name (`8gaussians`, `fashion-mnist`, `dsprites`, ...).
    public var data = "8gaussians"
    /// `mlp` or `dcgan`.
    public var arch = "mlp"
    /// `minimax`, `non-saturating` or `wasserstein`.
    public var loss = "non-saturating"
    /// `none`, `r1:GAMMA` or `gp:LAMBDA`.
    public var penalty = "none"
    /// Generator steps (default 10000 for 2-D toys, 5000 for images).
    public var steps: Int?
    /// Batch size (default 256 for 2-D toys, 64 for images).
    public var batchSize: Int?
    /// Discriminator steps per generator step (default 1; 5 for wasserstein).
    public var k: Int?
    /// Learning rate of both players (default 2e-4; 1e-4 for wasserstein).
    public var lr: Float?
    /// The discriminator's learning rate when it differs.
    public var lrD: Float?
    /// Adam beta1 (default 0.5; 0 for wasserstein).
    public var beta1: Float?
    /// Adam beta2 (default 0.999; 0.9 for wasserstein).
    public var beta2: Float?
    /// Latent dimension (default 8 for 2-D toys, 64 for 28x28 images, 100 for 64x64).
    public var latent: Int?
    /// Hidden width of the MLP pair on 2-D toys (three hidden layers, default 128).
    public var hidden = 128
    /// The run's seed.
    public var seed: UInt64 = 0

    /// Settings with the given values; nil ones take their defaults.
    public init(data: String = "8gaussians", arch: String = "mlp", loss: String = "non-saturating", penalty: String = "none",
                steps: Int? = nil, batchSize: Int? = nil, k: Int? = nil, lr: Float? = nil, lrD: Float? = nil,
                beta1: Float? = nil, beta2: Float? = nil, latent: Int? = nil, hidden: Int = 128, seed: UInt64 = 0) {
        self.data = data; self.arch = arch; self.loss = loss; self.penalty = penalty
        self.steps = steps; self.batchSize = batchSize; self.k = k; self.lr = lr; self.lrD = lrD
        self.beta1 = beta1; self.beta2 = beta2; self.latent = latent; self.hidden = hidden; self.seed = seed
    }

    /// Remarks on a legal but questionable choice (a Wasserstein critic without a gradient penalty).
    public var notes: [String] {
        loss == "wasserstein" && penalty == "none"
            ? ["a Wasserstein critic without --penalty gp:LAMBDA has no Lipschitz constraint; its outputs can grow without bound"] : []
    }

    /// The run config: model kind `gan` with the architecture entries `makeModel` reads, the
    /// hyperparameters (`penalty` only when there is one, so that older runs still resume), and
    /// the data's preprocessing. Throws a ``LatentError`` naming the first setting out of range.
    public func config(command: String = "") throws -> RunConfig {
        guard let lossKind = GANLoss(rawValue: loss) else {
            throw LatentError("--loss must be minimax, non-saturating or wasserstein, got '\(loss)'")
        }
        guard ["mlp", "dcgan"].contains(arch) else { throw LatentError("--arch must be mlp or dcgan, got '\(arch)'") }
        let penaltyKind = try GANPenalty(parsing: penalty)
        if penaltyKind != .none && arch == "dcgan" {
            throw LatentError("--penalty \(penalty) needs a discriminator with second derivatives; the DCGAN one has BatchNorm, which has none: use --arch mlp")
        }
        let wasserstein = lossKind == .wasserstein
        let k = self.k ?? (wasserstein ? 5 : 1)
        let lr = self.lr ?? (wasserstein ? 1e-4 : 2e-4)
        let beta1 = self.beta1 ?? (wasserstein ? 0 : 0.5)
        let beta2 = self.beta2 ?? (wasserstein ? 0.9 : 0.999)
        let source = try GANData.named(data)
        let steps = self.steps ?? (source.isToy ? 10000 : 5000)
        guard steps > 0, k > 0 else { throw LatentError("--steps and --k must be positive") }
        let batch = batchSize ?? (source.isToy ? 256 : 64)
        guard batch > 0 && batch <= 1_000_000 else { throw LatentError("--batch-size must be in 1...1000000, got \(batch)") }
        guard lr > 0 && lr <= 10, (lrD ?? lr) > 0 && (lrD ?? lr) <= 10 else { throw LatentError("--lr and --lr-d must be in (0, 10], got \(lr)") }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else { throw LatentError("--beta1 and --beta2 must be in [0, 1), got \(beta1), \(beta2)") }
        guard (latent ?? 1) > 0, hidden > 0 else { throw LatentError("--latent and --hidden must be positive") }

        var architecture: [String: JSONValue] = ["arch": .string(arch)]
        if source.isToy {
            guard arch == "mlp" else { throw LatentError("--arch dcgan needs images; use --arch mlp for \(data)") }
            architecture["latent"] = .number(Double(latent ?? 8))
            architecture["hidden"] = .array([JSONValue](repeating: .number(Double(hidden)), count: 3))
        } else {
            let s = source.exampleShape, (h, w) = (s[1], s[2])
            if arch == "mlp" {
                architecture["latent"] = .number(Double(latent ?? 64))
            } else if h == 28 && w == 28 {
                architecture["latent"] = .number(Double(latent ?? 64)); architecture["variant"] = "dcgan28"
            } else if h == 64 && w == 64 {
                architecture["latent"] = .number(Double(latent ?? 100)); architecture["variant"] = "dcgan64"
            } else {
                throw LatentError("--arch dcgan supports 28x28 and 64x64 images; \(data) has \(h)x\(w) (use --arch mlp)")
            }
        }
        var hyperparameters: [String: JSONValue] = [
            "loss": .string(lossKind.rawValue), "steps": .number(Double(steps)), "batchSize": .number(Double(batch)),
            "k": .number(Double(k)), "lr": .number(Double(lr)), "lrD": .number(Double(lrD ?? lr)),
            "beta1": .number(Double(beta1)), "beta2": .number(Double(beta2))]
        if penaltyKind != .none { hyperparameters["penalty"] = .string(penaltyKind.description) }
        return RunConfig(command: command, model: .init(kind: "gan", architecture: architecture), hyperparameters: hyperparameters,
                         data: .init(name: data, preprocessing: source.isToy ? [:] : ["scaling": "[-1, 1] (x * 2 - 1)"]), seed: seed)
    }
}
