/// The Gaussian approximate posterior q(z|x) = N(mean, diag exp(logVariance)) of one batch,
/// with the encoder's last hidden features (the context of amortised posterior flows).
public struct GaussianPosterior: Sendable {
    /// The posterior means, (N, latent).
    public let mean: Tensor
    /// The posterior log-variances log sigma^2 (natural log), (N, latent).
    public let logVariance: Tensor
    /// The encoder body's output before the linear head, (N, features): the context of amortised posterior
    /// flows.
    public let features: Tensor

    /// z = mean + exp(logVariance / 2) * noise: the reparameterisation trick.
    public func sample(noise: Tensor) -> Tensor { mean + exp(logVariance * 0.5) * noise }

    /// log q(z|x) summed over the latent dimensions, shape (N).
    public func logDensity(_ z: Tensor) -> Tensor { gaussianLogDensity(z, mean: mean, logVariance: logVariance) }
}

/// A Gaussian encoder: a body network x -> features, then one linear head
/// features -> (mean, log-variance).
///
/// ```swift
/// var rng = RandomGenerator(seed: 0)
/// let enc = VAEArchitecture.mlpEncoder(inputShape: [1, 28, 28], hidden: [512, 256], latent: 32, rng: &rng)
/// let q = enc(x)          // q.mean, q.logVariance: (N, 32)
/// ```
public final class GaussianEncoder: Module {
    /// The network x (N, ...) -> features (N, ``GaussianEncoder/featureCount``) that feeds the head.
    public let body: any Layer
    /// The linear layer features -> 2 x latent: the first D outputs are the means, the rest the
    /// log-variances.
    public let head: Linear
    /// The latent size D: the width of the posterior mean and log-variance.
    public let latentDimensions: Int
    /// The width of the body's output: the head's input size and the context size of posterior flows.
    public let featureCount: Int
    /// Training-mode flag; ``Module/setTraining(_:)`` sets it on the body and head too.
    public var isTraining = true

    /// Wraps `body`, whose output has `features` columns, with a new head Linear(features, 2 x latent);
    /// `rng` draws only the head's weights.
    public init(body: any Layer, features: Int, latent: Int, rng: inout RandomGenerator) {
        self.body = body
        self.featureCount = features
        self.latentDimensions = latent
        head = Linear(features, 2 * latent, rng: &rng)
    }

    /// The body's parameters under "body." and the head's weight and bias under "head.".
    public var namedParameters: [(name: String, parameter: Parameter)] {
        prefixed("body", body.namedParameters) + prefixed("head", head.namedParameters)
    }
    /// The body's buffers (such as BatchNorm statistics) under "body."; the head has none.
    public var namedBuffers: [(name: String, parameter: Parameter)] { prefixed("body", body.namedBuffers) }
    /// The body and the head, whose training flags follow the encoder's.
    public var children: [Module] { [body, head] }

    /// Encodes a batch x (N, ...) as q(z|x): mean and log-variance (N, latent) and the body's
    /// features (N, features).
    public func callAsFunction(_ x: Tensor) -> GaussianPosterior {
        let h = body(x)
        let out = head(h)
        let d = latentDimensions
        return GaussianPosterior(mean: out.slice(axis: 1, 0..<d), logVariance: out.slice(axis: 1, d..<(2 * d)), features: h)
    }
}

/// Encoder/decoder builders: MLPs for any image size and the disentanglement_lib
/// convolutional pair for 64x64 images.
public enum VAEArchitecture: Sendable {
    /// Flatten, then Linear+ReLU layers of `hidden` sizes; the head maps the last to 2 x latent.
    /// `hidden: [512, 256]` on 784 inputs with latent 32 is W2's encoder (bench/README.md) 784-512-256-64.
    public static func mlpEncoder(inputShape: [Int], hidden: [Int], latent: Int, rng: inout RandomGenerator) -> GaussianEncoder {
        check(!hidden.isEmpty, "mlpEncoder: needs at least one hidden layer")
        let inputs = inputShape.reduce(1, *)
        var layers: [any Layer] = [Lambda { $0.reshaped([$0.shape[0], -1]) }]
        var previous = inputs
        for h in hidden {
            layers.append(Linear(previous, h, activation: .relu, rng: &rng))
            previous = h
        }
        return GaussianEncoder(body: Sequential(layers), features: previous, latent: latent, rng: &rng)
    }

    /// Linear+ReLU layers of `hidden` sizes from the latent, then a linear layer to the image,
    /// reshaped to (N, outputShape...). Outputs are decoder parameters (Bernoulli logits or Gaussian means).
    public static func mlpDecoder(latent: Int, hidden: [Int], outputShape: [Int], rng: inout RandomGenerator) -> Sequential {
        var layers: [any Layer] = []
        var previous = latent
        for h in hidden {
            layers.append(Linear(previous, h, activation: .relu, rng: &rng))
            previous = h
        }
        layers.append(Linear(previous, outputShape.reduce(1, *), rng: &rng))
        layers.append(Lambda { $0.reshaped([$0.shape[0]] + outputShape) })
        return Sequential(layers)
    }

    /// disentanglement_lib's convolutional encoder for (N, C, 64, 64): conv 4x4 stride 2 pad 1
    /// with 32, 32, 64, 64 channels (ReLU), flatten 1024, dense 256 (ReLU), head 2 x latent.
    public static func convEncoder64(channels: Int, latent: Int, rng: inout RandomGenerator) -> GaussianEncoder {
        let body = Sequential([
            Conv2d(channels, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),   // (N, 32, 32, 32)
            Conv2d(32, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),         // (N, 32, 16, 16)
            Conv2d(32, 64, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),         // (N, 64, 8, 8)
            Conv2d(64, 64, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),         // (N, 64, 4, 4)
            Lambda { $0.reshaped([$0.shape[0], 1024]) },
            Linear(1024, 256, activation: .relu, rng: &rng),
        ])
        return GaussianEncoder(body: body, features: 256, latent: latent, rng: &rng)
    }

    /// The mirrored decoder: dense 256, dense 1024 (ReLU), reshape (64, 4, 4), transposed conv
    /// 4x4 stride 2 pad 1 with 64, 32, 32 (ReLU) and `channels` outputs: (N, channels, 64, 64).
    public static func convDecoder64(latent: Int, channels: Int, rng: inout RandomGenerator) -> Sequential {
        Sequential([
            Linear(latent, 256, activation: .relu, rng: &rng),
            Linear(256, 1024, activation: .relu, rng: &rng),
            Lambda { $0.reshaped([$0.shape[0], 64, 4, 4]) },
            ConvTranspose2d(64, 64, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),   // (N, 64, 8, 8)
            ConvTranspose2d(64, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),   // (N, 32, 16, 16)
            ConvTranspose2d(32, 32, kernelSize: 4, stride: 2, padding: 1, activation: .relu, rng: &rng),   // (N, 32, 32, 32)
            ConvTranspose2d(32, channels, kernelSize: 4, stride: 2, padding: 1, rng: &rng),                // (N, C, 64, 64)
        ])
    }
}
