import Foundation
import Latent

// W1 (realnvp2d) and W5 (maf) of bench/README.md ("Workloads"): training steps per
// second (forward, backward, Adam). The ratio to the PyTorch peer
// (bench/peers/workloads.py) comes from bench/compare.py, which runs it beside
// these rows when torch is importable.

/// W1: 8 affine couplings on 2-D data, scale and shift MLPs 2-256-256-2, batch 512, Adam 1e-3.
func w1Step() -> () -> Float {
    var rng = RandomGenerator(seed: 0)
    let model = FlowModel(flow: realNVP(dimensions: 2, layers: 8, hidden: [256, 256], rng: &rng), eventShape: [2])
    let opt = Adam(model.parameters, learningRate: 1e-3)
    // Fixed inputs (data loading is not part of the step): two moons with noise 0.05, as the peer.
    let s = rng.uniform([512]).scalars, upper = rng.uniform([512]).scalars, noise = rng.normal([512, 2]).scalars
    var v: [Float] = []
    for i in 0..<512 {
        let t = Double(s[i]) * Double.pi
        let (x, y) = upper[i] < 0.5 ? (cos(t), sin(t)) : (1 - cos(t), 0.5 - sin(t))
        v += [Float(x) + 0.05 * noise[2 * i], Float(y) + 0.05 * noise[2 * i + 1]]
    }
    let data = Tensor(shape: [512, 2], scalars: v)
    return {
        let loss = model.negativeLogLikelihood(data)
        backward(loss, to: model.parameters)
        opt.step()
        return loss.scalar
    }
}

/// W5: 5 MADE blocks on 8-D data, hidden 512x2, order reversed between blocks, batch 512, Adam 1e-4.
func w5Step() -> () -> Float {
    var rng = RandomGenerator(seed: 0)
    let blocks: [any Flow] = (0..<5).map { i in
        MaskedAutoregressiveFlow(features: 8, hidden: [512, 512], order: i % 2 == 0 ? .natural : .reversed, rng: &rng)
    }
    let model = FlowModel(flow: FlowSequence(blocks), eventShape: [8])
    let opt = Adam(model.parameters, learningRate: 1e-4)
    // As the peer: correlated Gaussian plus a small squared term.
    let z = rng.normal([512, 8])
    let data = matmul(z, rng.normal([8, 8]) / Float(8).squareRoot()) + 0.1 * square(rng.normal([512, 8]))
    return {
        let loss = model.negativeLogLikelihood(data)
        backward(loss, to: model.parameters)
        opt.step()
        return loss.scalar
    }
}


func registerFlowWorkloadRows(threads: Int) {
    for (_, name, shape, make) in [("W1", "realnvp2d", "8 couplings 2-256-256-2, batch 512", w1Step),
                                    ("W5", "maf", "5 MADE 8-512-512-16, batch 512", w5Step)] {
        register("workload", name) {
            let step = make()
            // Check before timing: the loss must be finite and fall within 40 steps
            // (Adam's first steps may raise it briefly).
            let first = step()
            var last = first
            for _ in 0..<40 { last = step() }
            verify(first.isFinite && last.isFinite && last < first, "\(name): loss \(first) -> \(last) did not fall")
            let seconds = measure(seconds: 3, warmup: 2) { _ = step() }
            let ours = 1 / seconds
            // PyTorch ratios come from bench/compare.py, which runs the peer beside this row.
            return BenchResult(name: name, shape: shape + ", threads \(threads)", value: ours, unit: "steps/s")
        }
    }
}
