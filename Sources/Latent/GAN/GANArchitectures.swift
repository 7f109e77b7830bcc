// The GAN architectures Latent ships: MLP pairs (2-D toys, W4's gan-mlp) and
// DCGAN-style convolutional pairs with BatchNorm (Radford et al. 2016) for
// 28x28 and 64x64 single-channel images. Generators end in tanh, so image data
// are scaled to [-1, 1]; discriminators end in one logit.

extension GAN {
    /// A GAN of two MLPs: generator latentDimension -> hidden... -> dataDimension
    /// (ReLU) and discriminator dataDimension -> discriminatorHidden... -> 1 logit
    /// (LeakyReLU 0.2), `discriminatorHidden` defaulting to `hidden`.
    /// `outputActivation` ends the generator: `.identity` for 2-D toys, `.tanh`
    /// for images scaled to [-1, 1].
    ///
    /// ```swift
    /// let w4 = GAN.mlp(dataDimension: 784, latentDimension: 64, hidden: [256, 512],
    ///                  discriminatorHidden: [512, 256], outputActivation: .tanh, rng: &rng)
    /// ```
    public static func mlp(dataDimension: Int, latentDimension: Int, hidden: [Int], discriminatorHidden: [Int]? = nil,
                           outputActivation: ActivationFunction = .identity, rng: inout RandomGenerator) -> GAN {
        let g = MLP([latentDimension] + hidden + [dataDimension], activation: .relu, outputActivation: outputActivation, rng: &rng)
        let d = MLP([dataDimension] + (discriminatorHidden ?? hidden) + [1], activation: .leakyReLU(0.2), rng: &rng)
        return GAN(generator: g, discriminator: d, latentShape: [latentDimension], dataShape: [dataDimension])
    }

    /// A DCGAN pair for (channels, 28, 28) images and latent codes of shape
    /// (latentDimension). With the default `width` 64: G z -> dense 128x7x7 -> BN,
    /// ReLU -> deconv 64 (14x14) -> BN, ReLU -> deconv `channels` (28x28), tanh.
    /// D conv 64 (14x14), LeakyReLU 0.2 -> conv 128 (7x7), BN, LeakyReLU 0.2 ->
    /// dense 1 logit. `width` sets the 64, twice it the 128.
    public static func dcgan28(latentDimension: Int = 64, channels: Int = 1, width: Int = 64, rng: inout RandomGenerator) -> GAN {
        let c2 = 2 * width
        let g = Sequential([
            Linear(latentDimension, c2 * 7 * 7, bias: false, rng: &rng),
            BatchNorm(c2 * 7 * 7), Lambda(relu),
            Lambda { $0.reshaped([-1, c2, 7, 7]) },
            ConvTranspose2d(c2, width, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng),   // 14x14
            BatchNorm(width), Lambda(relu),
            ConvTranspose2d(width, channels, kernelSize: 4, stride: 2, padding: 1, activation: .tanh, rng: &rng),  // 28x28
        ])
        let d = Sequential([
            Conv2d(channels, width, kernelSize: 4, stride: 2, padding: 1, activation: .leakyReLU(0.2), rng: &rng),  // 14x14
            Conv2d(width, c2, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng),                         // 7x7
            BatchNorm(c2), Lambda { leakyReLU($0, negativeSlope: 0.2) },
            Lambda { $0.reshaped([$0.shape[0], -1]) },
            Linear(c2 * 7 * 7, 1, rng: &rng),
        ])
        return GAN(generator: g, discriminator: d, latentShape: [latentDimension], dataShape: [channels, 28, 28])
    }

    /// A DCGAN pair for (channels, 64, 64) images (benchmark W6) and latent codes
    /// of shape (latentDimension, 1, 1): G deconv 4x4 to 4x4x(8w) -> 8x8x(4w) ->
    /// 16x16x(2w) -> 32x32x(w) -> 64x64x`channels`, BN + ReLU between, tanh out;
    /// D mirrored with conv 4x4 stride 2 pad 1, LeakyReLU 0.2 (BN from the second
    /// conv on) and a final 4x4 conv to one logit per image, shape (N, 1).
    /// `width` (w) 32 is W6.
    public static func dcgan64(latentDimension: Int = 100, channels: Int = 1, width: Int = 32, rng: inout RandomGenerator) -> GAN {
        let w = width
        func up(_ i: Int, _ o: Int, stride: Int, padding: Int, rng: inout RandomGenerator) -> [any Layer] {
            [ConvTranspose2d(i, o, kernelSize: 4, stride: stride, padding: padding, bias: false, rng: &rng), BatchNorm(o), Lambda(relu)]
        }
        func down(_ i: Int, _ o: Int, rng: inout RandomGenerator) -> [any Layer] {
            [Conv2d(i, o, kernelSize: 4, stride: 2, padding: 1, bias: false, rng: &rng), BatchNorm(o), Lambda { leakyReLU($0, negativeSlope: 0.2) }]
        }
        var gl: [any Layer] = up(latentDimension, 8 * w, stride: 1, padding: 0, rng: &rng)   // 4x4
        gl += up(8 * w, 4 * w, stride: 2, padding: 1, rng: &rng)                                // 8x8
        gl += up(4 * w, 2 * w, stride: 2, padding: 1, rng: &rng)                                // 16x16
        gl += up(2 * w, w, stride: 2, padding: 1, rng: &rng)                                    // 32x32
        gl.append(ConvTranspose2d(w, channels, kernelSize: 4, stride: 2, padding: 1, activation: .tanh, rng: &rng))  // 64x64
        var dl: [any Layer] = [Conv2d(channels, w, kernelSize: 4, stride: 2, padding: 1, activation: .leakyReLU(0.2), rng: &rng)]  // 32x32
        dl += down(w, 2 * w, rng: &rng)          // 16x16
        dl += down(2 * w, 4 * w, rng: &rng)      // 8x8
        dl += down(4 * w, 8 * w, rng: &rng)      // 4x4
        dl.append(Conv2d(8 * w, 1, kernelSize: 4, rng: &rng))   // 1x1 logit
        dl.append(Lambda { $0.reshaped([$0.shape[0], 1]) })
        return GAN(generator: Sequential(gl), discriminator: Sequential(dl), latentShape: [latentDimension, 1, 1],
                   dataShape: [channels, 64, 64])
    }
}
