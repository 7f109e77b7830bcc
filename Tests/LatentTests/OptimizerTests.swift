import Foundation
import Testing
@testable import Latent

/// Optimizer steps against values computed by hand from the published update
/// rules (in Double), and schedules against their closed forms.
@Suite struct OptimizerTests {
    /// Adam (Kingma & Ba, PyTorch's form) in Double, one parameter vector.
    func adamReference(p0: [Double], grads: [[Double]], lr: Double, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8,
                       wd: Double = 0, decoupled: Bool = false) -> [Double] {
        var p = p0, m = [Double](repeating: 0, count: p0.count), v = m
        for (t, g0) in grads.enumerated() {
            let step = Double(t + 1)
            for i in p.indices {
                var g = g0[i]
                if decoupled { p[i] *= 1 - lr * wd } else { g += wd * p[i] }
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                let mhat = m[i] / (1 - Foundation.pow(b1, step)), vhat = v[i] / (1 - Foundation.pow(b2, step))
                p[i] -= lr * mhat / (vhat.squareRoot() + eps)
            }
        }
        return p
    }

    func run(_ opt: Optimizer, _ p: Parameter, _ grads: [[Double]]) {
        for g in grads {
            p.grad = Tensor(shape: p.shape, scalars: g.map { Float($0) })
            opt.step()
        }
    }

    @Test func adamFirstStepMovesByLearningRate() {
        // With bias correction the first step is lr * g / |g| (up to eps).
        let p = Parameter(Tensor([1, -2]))
        run(Adam([p], learningRate: 0.1), p, [[0.5, 0.1]])
        expectClose(p.value, [0.9, -2.1], atol: 1e-6, rtol: 0)
    }

    @Test func adamAndAdamWMatchHandComputedSteps() {
        let grads: [[Double]] = [[0.5, 0.1, -3], [-0.25, 0.3, 1], [0.05, -0.2, 2]]
        let start: [Double] = [1, -2, 0.5]
        let p1 = Parameter(Tensor(start.map { Float($0) }))
        run(Adam([p1], learningRate: 0.1), p1, grads)
        expectClose(p1.value, adamReference(p0: start, grads: grads, lr: 0.1), atol: 1e-6, rtol: 1e-6, "adam")

        let p2 = Parameter(Tensor(start.map { Float($0) }))
        run(Adam.w([p2], learningRate: 0.1, weightDecay: 0.1), p2, grads)
        expectClose(p2.value, adamReference(p0: start, grads: grads, lr: 0.1, wd: 0.1, decoupled: true), atol: 1e-6, rtol: 1e-6, "adamw")

        let p3 = Parameter(Tensor(start.map { Float($0) }))
        run(Adam([p3], learningRate: 0.1, beta1: 0.5, beta2: 0.999, weightDecay: 0.1), p3, grads)
        expectClose(p3.value, adamReference(p0: start, grads: grads, lr: 0.1, b1: 0.5, wd: 0.1), atol: 1e-6, rtol: 1e-6, "adam L2")
    }

    @Test func sgdMomentumHandComputed() {
        // v1 = 0.5, p1 = 1 - 0.05 = 0.95; v2 = 0.9*0.5 + 0.5 = 0.95, p2 = 0.95 - 0.095 = 0.855.
        let p = Parameter(Tensor([1]))
        run(SGD([p], learningRate: 0.1, momentum: 0.9), p, [[0.5], [0.5]])
        expectClose(p.value, [0.855], atol: 1e-6, rtol: 0)
        // Plain SGD with weight decay: g' = 0.5 + 0.1 * 1 = 0.6, p = 1 - 0.06.
        let q = Parameter(Tensor([1]))
        run(SGD([q], learningRate: 0.1, weightDecay: 0.1), q, [[0.5]])
        expectClose(q.value, [0.94], atol: 1e-6, rtol: 0)
    }

    @Test func schedulesAndClipping() {
        #expect(LearningRateSchedule.constant.factor(at: 100) == 1)
        #expect(LearningRateSchedule.linearWarmup(warmupSteps: 10).factor(at: 4) == 0.5)
        #expect(LearningRateSchedule.linearWarmup(warmupSteps: 10).factor(at: 50) == 1)
        let cosine = LearningRateSchedule.cosine(totalSteps: 100, warmupSteps: 0, minimumFactor: 0)
        #expect(Swift.abs(cosine.factor(at: 0) - 1) < 1e-6)
        #expect(Swift.abs(cosine.factor(at: 50) - 0.5) < 1e-6)
        #expect(Swift.abs(cosine.factor(at: 100)) < 1e-6)

        let a = Parameter(Tensor([3, 0])), b = Parameter(Tensor([4]))
        a.grad = Tensor([3, 0]); b.grad = Tensor([4])
        let norm = clipGradientNorm([a, b], maxNorm: 1)
        #expect(Swift.abs(norm - 5) < 1e-5)
        expectClose(a.grad!, [0.6, 0], atol: 1e-5, rtol: 0)
        expectClose(b.grad!, [0.8], atol: 1e-5, rtol: 0)
    }
}

/// A fixed-seed MLP regression: trains for 300 steps and must end below a stated loss.
@Suite struct TrainingTests {
    @Test func mlpRegressionLearnsSine() {
        var rng = RandomGenerator(seed: 7)
        let x = rng.uniform([256, 1], low: -1, high: 1)
        let y = sin(x * 3)              // variance ~0.5: a constant predictor scores ~0.5
        let net = MLP([1, 64, 64, 1], activation: .tanh, rng: &rng)
        let opt = Adam(net.parameters, learningRate: 1e-2)
        var first: Float = 0, last: Float = 0
        for step in 0..<300 {
            let loss = meanSquaredError(net(x), y)
            if step == 0 { first = loss.scalar }
            last = loss.scalar
            backward(loss, to: net.parameters)
            opt.step()
        }
        #expect(first > 0.1)
        #expect(last < 5e-3, "final MSE \(last) (started at \(first))")
    }
}
