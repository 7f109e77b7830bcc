import Foundation
import Testing
@testable import Latent

// Gradient penalties (R1, WGAN-GP) and the Wasserstein objective: values against
// closed forms, gradients against finite differences, and R1 training on 8 gaussians.

/// A two-layer discriminator written on explicit tensors, so that its weights
/// can be the inputs of a gradient check: tanh(x W1^T + b1) W2^T + b2 (tanh, not
/// leaky ReLU, so that the input gradient depends smoothly on b1 as well).
private func functionalDiscriminator(_ t: [Tensor]) -> (Tensor) -> Tensor {
    { x in affine(affine(x, weight: t[0], bias: t[1], activation: .tanh), weight: t[2], bias: t[3]) }
}

private let weights = [randomTensor([6, 2], seed: 31), randomTensor([6], seed: 32), randomTensor([1, 6], seed: 33), randomTensor([1], seed: 34)]
private let realPoints = randomTensor([5, 2], seed: 35, low: -2, high: 2)
private let fakePoints = randomTensor([5, 2], seed: 36, low: -2, high: 2)

@Suite struct GANPenaltyTests {
    @Test func penaltiesOfALinearDiscriminatorHaveTheirClosedForms() {
        // D(x) = x w + b has the input gradient w at every point.
        let w = Tensor(shape: [1, 2], scalars: [3, -4]), b = Tensor([0.5])
        let d: (Tensor) -> Tensor = { affine($0, weight: w, bias: b) }
        expectClose(r1Penalty(discriminator: d, real: realPoints, gamma: 10), [10.0 / 2 * 25], atol: 1e-4, "R1 = gamma/2 ||w||^2")
        var rng = RandomGenerator(seed: 1)
        expectClose(wganGradientPenalty(discriminator: d, real: realPoints, fake: fakePoints, lambda: 10, rng: &rng),
                    [10 * 16], atol: 1e-3, "GP = lambda (||w|| - 1)^2")
    }

    @Test func r1GradientInTheDiscriminatorsWeights() {
        let result = gradientCheck(weights) { t in r1Penalty(discriminator: functionalDiscriminator(t), real: realPoints, gamma: 10) }
        #expect(result.passed && result.largestDerivative > 0.5, "\(result)")
        // The penalty depends on both weight matrices and the hidden bias (so the check above
        // checks something), and not at all on the output bias, which moves D but not its slope.
        let t = weights.map { $0.tracked() }
        let g = gradients(of: r1Penalty(discriminator: functionalDiscriminator(t), real: realPoints, gamma: 10), wrt: t)
        #expect(g[0..<3].allSatisfy { $0.elements.contains { Swift.abs($0) > 1e-4 } }, "\(g.map(\.scalars))")
        #expect(g[3].scalars == [0], "output bias gradient \(g[3].scalars)")
    }

    @Test func wganGradientPenaltyGradientInTheDiscriminatorsWeights() {
        let result = gradientCheck(weights) { t in
            var rng = RandomGenerator(seed: 7)   // the same interpolates at every evaluation
            return wganGradientPenalty(discriminator: functionalDiscriminator(t), real: realPoints, fake: fakePoints, lambda: 10, rng: &rng)
        }
        #expect(result.passed && result.largestDerivative > 0.5, "\(result)")
    }

    @Test func wassersteinLosses() {
        let real = Tensor(shape: [3, 1], scalars: [1, 2, 3]), fake = Tensor(shape: [3, 1], scalars: [-1, 0, 4])
        expectClose(GANLoss.wasserstein.discriminatorLoss(realLogits: real, fakeLogits: fake), [1.0 - 2.0], "critic loss")
        expectClose(GANLoss.wasserstein.generator(fakeLogits: fake), [-1.0], "generator loss")
        // The other objectives keep the cross-entropy.
        expectClose(GANLoss.minimax.discriminatorLoss(realLogits: real, fakeLogits: fake),
                    GANLoss.discriminator(realLogits: real, fakeLogits: fake), "minimax discriminator loss")
    }

    @Test func parsingTheCommandLineForm() throws {
        #expect(try GANPenalty(parsing: "none") == .none)
        #expect(try GANPenalty(parsing: "r1:10") == .r1(gamma: 10))
        #expect(try GANPenalty(parsing: "gp:0.5") == .gradientPenalty(lambda: 0.5))
        for text in ["r1", "r1:", "r1:-1", "gp:nan", "l2:1", "r1:1:2", ""] {
            #expect(throws: LatentError.self, "\(text)") { try GANPenalty(parsing: text) }
        }
        for p in [GANPenalty.none, .r1(gamma: 10), .gradientPenalty(lambda: 0.5)] {
            #expect(try GANPenalty(parsing: p.description) == p)
        }
    }

    /// R1 keeps the non-saturating GAN on all eight modes (Mescheder et al.'s
    /// point): 1,500 steps of the CLI's MLP pair, one fixed seed.
    @Test func r1TrainingOnEightGaussiansCoversAllModes() {
        var rng = RandomGenerator(seed: 3)
        let gan = GAN.mlp(dataDimension: 2, latentDimension: 8, hidden: [128, 128, 128], rng: &rng)
        let trainer = GANTrainer(gan: gan, loss: .nonSaturating, penalty: .r1(gamma: 10))
        var data = rng.forked(stream: 1)
        var last = GANTrainer.StepStats(discriminatorLoss: 0, generatorLoss: 0, dReal: 0, dFake: 0, realSpread: 0, fakeSpread: 0)
        for _ in 0..<1500 { last = trainer.step(real: { ToyDensity.eightGaussians.sample(256, rng: &data) }, rng: &rng) }
        #expect(last.penalty > 0 && last.penalty.isFinite, "penalty \(last.penalty)")
        let samples = withoutGradients { gan.sample(2000, rng: &rng) }
        let coverage = ModeCoverage.count(samples, mixture: .eightGaussians)
        #expect(coverage.covered == 8, "modes covered \(coverage.covered)/8, counts \(coverage.counts)")
    }
}
