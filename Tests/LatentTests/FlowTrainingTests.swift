import Foundation
import Testing
@testable import Latent

/// Two moons from the data layer (as docs/DATA.md defines them).
func twoMoons(_ n: Int, rng: inout RandomGenerator) -> Tensor { ToyDensity.twoMoons.sample(n, rng: &rng) }

@Suite(.serialized) struct FlowTrainingTests {
    /// RealNVP, 8 couplings with 2-64-64-2 scale and shift nets, batch 256,
    /// Adam 1e-3, 600 steps, seed 0, two moons from the data layer. Held-out
    /// NLL on 4096 points: 2.508 nats measured here (release, avx2+fma).
    /// PyTorch, same architecture, data, batch, optimizer and steps
    /// (bench/peers/realnvp_moons.py, torch 2.13 CPU, seeds 0-4):
    /// 2.488 nats mean, 2.445 ... 2.526. The true density's NLL is 2.384 nats
    /// (numerical integration over the arcs, numpy, 4000 points). The bound
    /// 2.60 sits 0.07 nats above PyTorch's worst seed: it fails a fit clearly
    /// worse than the reference implementation, not seed-to-seed noise.
    @Test func realNVPOnTwoMoonsReachesTheNLLBound() {
        var rng = RandomGenerator(seed: 0)
        let model = FlowModel(flow: realNVP(dimensions: 2, layers: 8, hidden: [64, 64], rng: &rng), eventShape: [2])
        let opt = Adam(model.parameters, learningRate: 1e-3)
        var data = rng.forked(stream: 1)
        var heldOutRng = RandomGenerator(seed: 12345)
        let heldOut = twoMoons(4096, rng: &heldOutRng)
        let initial = withoutGradients { model.negativeLogLikelihood(heldOut).scalar }
        for _ in 0..<600 {
            let loss = model.negativeLogLikelihood(twoMoons(256, rng: &data))
            backward(loss, to: model.parameters)
            opt.step()
        }
        let nll = withoutGradients { model.negativeLogLikelihood(heldOut).scalar }
        print("two-moons RealNVP: held-out NLL \(initial) -> \(nll) nats")
        #expect(nll < 2.60, "held-out NLL \(nll) nats (initial \(initial))")
        // Samples land on the data: most are within reach of a moon.
        var sampleRng = RandomGenerator(seed: 3)
        let xs = withoutGradients { model.sample(512, rng: &sampleRng) }
        let logp = withoutGradients { model.logProb(xs).scalars }
        #expect(logp.filter { $0 > -3 }.count > 400, "samples should sit where the model has mass")
    }

    /// 8-bit data on a grid (100 + 4k, correlated pixels) the model can
    /// resolve: p puts bumps on the levels, uniform noise must fill whole bins
    /// while q(u|x) can follow the bumps. Same architecture, seeds and steps;
    /// measured bounds: uniform -6.16 nats, variational -5.84 nats.
    @Test func variationalDequantizationBoundIsNotBelowUniform() {
        func data(_ n: Int, rng: inout RandomGenerator) -> Tensor {
            let k = rng.uniform([n, 2]).scalars.map { Int($0 * 4) }
            var v: [Float] = []
            for i in 0..<n { v += [100 + 4 * Float(k[2 * i]), 100 + 4 * Float(k[2 * i]), 100 + 4 * Float(3 - k[2 * i]), 100 + 4 * Float(k[2 * i + 1])] }
            return Tensor(shape: [n, 4], scalars: v)
        }
        func makeModel() -> FlowModel {
            var rng = RandomGenerator(seed: 7)
            return FlowModel(flow: FlowSequence([ActNorm(channels: 4)] + realNVP(dimensions: 4, layers: 6, hidden: [32, 32], rng: &rng).flows), eventShape: [4])
        }
        var evalRng = RandomGenerator(seed: 99)
        let test = data(1024, rng: &evalRng)
        func bound(_ model: FlowModel, _ deq: any Dequantizer) -> Double {
            var noise = RandomGenerator(seed: 5)
            return withoutGradients { (0..<4).map { _ in Double(dequantizedBound(model: model, dequantizer: deq, x: test, rng: &noise).mean().scalar) }.reduce(0, +) / 4 }
        }
        func train(_ model: FlowModel, _ deq: any Dequantizer) {
            let opt = Adam(model.parameters + deq.parameters, learningRate: 2e-3)
            var rng = RandomGenerator(seed: 11)
            var batches = RandomGenerator(seed: 13)
            for _ in 0..<300 {
                let loss = -dequantizedBound(model: model, dequantizer: deq, x: data(128, rng: &batches), rng: &rng).mean()
                backward(loss, to: opt.parameters)
                opt.step()
            }
        }
        let uniform = UniformDequantization()
        let a = makeModel()
        train(a, uniform)
        var qRng = RandomGenerator(seed: 17)
        let variational = VariationalDequantization(flow: realNVP(dimensions: 4, layers: 4, hidden: [32, 32], contextFeatures: 4, rng: &qRng))
        let b = makeModel()
        train(b, variational)
        let bu = bound(a, uniform), bv = bound(b, variational), bvu = bound(b, uniform)
        let bpd = { (nats: Double) in -nats / (4 * Foundation.log(2.0)) }
        print("dequantization bounds (nats): uniform \(bu) (\(bpd(bu)) bits/dim), variational \(bv) (\(bpd(bv)) bits/dim); variational-trained model under uniform noise \(bvu)")
        #expect(bv >= bu, "variational bound \(bv) below uniform \(bu)")
        #expect(bv <= 0 && bu <= 0, "bounds on log P(x) of discrete data cannot be positive")
    }
}
