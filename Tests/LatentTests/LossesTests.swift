import Foundation
import Testing
@testable import Latent

/// Losses and log-densities against numpy goldens (float64 reference).
@Suite struct LossesTests {
    let fx = Fixtures.shared

    @Test func bceWithLogitsIsStableAndMatches() {
        let y = binaryCrossEntropy(logits: fx.tensor("bce_with_logits", "logits"), targets: fx.tensor("bce_with_logits", "targets"))
        expectClose(y, fx.values("bce_with_logits", "loss_per_row"), atol: 1e-4, rtol: 1e-5, "bce")
        // Extreme logits must not overflow.
        let big = binaryCrossEntropy(logits: Tensor([1000, -1000]).reshaped([1, 2]), targets: Tensor([0, 0]).reshaped([1, 2]))
        #expect(Swift.abs(big.scalar - 1000) < 1e-3)
    }

    @Test func gaussianDensities() {
        let g = gaussianLogDensity(fx.tensor("gaussian_logpdf", "x"), mean: fx.tensor("gaussian_logpdf", "mean"), logVariance: fx.tensor("gaussian_logpdf", "logvar"))
        expectClose(g, fx.values("gaussian_logpdf", "logp"), atol: 1e-4, rtol: 1e-5, "gaussian")
        expectClose(standardNormalLogDensity(fx.tensor("std_normal_logpdf", "x")), fx.values("std_normal_logpdf", "logp"), atol: 1e-5, rtol: 1e-5, "std normal")
        expectClose(klToStandardNormal(mean: fx.tensor("kl_std_normal", "mean"), logVariance: fx.tensor("kl_std_normal", "logvar")), fx.values("kl_std_normal", "kl"), atol: 1e-5, rtol: 1e-5, "kl")
    }

    @Test func logSumExpAndLogMeanExp() {
        let x = fx.tensor("logsumexp", "x")
        expectClose(x.logSumExp(axis: 1), fx.values("logsumexp", "lse_axis1"), atol: 1e-4, rtol: 1e-6, "lse axis 1")
        expectClose(x.logSumExp(axis: 0), fx.values("logsumexp", "lse_axis0"), atol: 1e-4, rtol: 1e-6, "lse axis 0")
        expectClose(logMeanExp(x, axis: 1), fx.values("logsumexp", "lme_axis1"), atol: 1e-4, rtol: 1e-6, "lme")
        // Stability: values far beyond exp's float range.
        let huge = Tensor([1000, 1000]).reshaped([1, 2]).logSumExp(axis: 1)
        #expect(Swift.abs(huge.scalar - (1000 + Float(Foundation.log(2.0)))) < 1e-3)
    }

    @Test func activationsMatchGolden() {
        let x = fx.tensor("activations", "x")
        expectClose(relu(x), fx.values("activations", "relu"), "relu")
        expectClose(leakyReLU(x, negativeSlope: Float(fx.config("activations", "leaky_relu_slope"))), fx.values("activations", "leaky_relu"), "leaky")
        expectClose(elu(x, alpha: Float(fx.config("activations", "elu_alpha"))), fx.values("activations", "elu"), atol: 1e-6, rtol: 1e-6, "elu")
        expectClose(tanh(x), fx.values("activations", "tanh"), atol: 1e-6, rtol: 1e-6, "tanh")
        expectClose(sigmoid(x), fx.values("activations", "sigmoid"), atol: 1e-7, rtol: 1e-6, "sigmoid")
        expectClose(softplus(x), fx.values("activations", "softplus"), atol: 1e-6, rtol: 1e-6, "softplus")
        expectClose(exp(x), fx.values("activations", "exp"), atol: 1e-6, rtol: 1e-6, "exp")
    }
}
