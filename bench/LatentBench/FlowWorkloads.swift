import Foundation
import Latent

// W1 (realnvp2d) and W5 (maf) of ../shared/BENCHMARKS.md: training steps per
// second (forward, backward, Adam), with the ratio to the PyTorch peer
// (bench/peers/workloads.py) measured in the same run when torch is importable.

/// W1: 8 affine couplings on 2-D data, scale and shift MLPs 2-256-256-2, batch 512, Adam 1e-3.
func w1Step() -> () -> Float {
    var rng = RandomGenerator(seed: 0)
    let model = FlowModel(flow: realNVP(dimensions: 2, layers: 8, hidden: [256, 256], rng: &rng), eventShape: [2])
    let opt = Adam(model.parameters, learningRate: 1e-3)
    let data = rng.normal([512, 2])   // fixed inputs: data loading is not part of the step
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
    let data = rng.normal([512, 8])
    return {
        let loss = model.negativeLogLikelihood(data)
        backward(loss, to: model.parameters)
        opt.step()
        return loss.scalar
    }
}

/// Steps/s of the PyTorch peer, or nil when python3 cannot import torch.
func peerStepsPerSecond(_ id: String, threads: Int) -> Double? {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("peers/workloads.py").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", script, "--workload", id, "--threads", String(threads), "--seconds", "5", "--warmup", "3"]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0,
          let line = String(data: data, encoding: .utf8)?.split(separator: "\n").last,
          let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
          let v = json["steps_per_sec"] as? Double else { return nil }
    return v
}

func registerFlowWorkloadRows(threads: Int) {
    for (id, name, shape, make) in [("W1", "W1-realnvp2d", "8 couplings 2-256-256-2, batch 512", w1Step),
                                    ("W5", "W5-maf", "5 MADE 8-512-512-16, batch 512", w5Step)] {
        register("workload", name) {
            let step = make()
            // Check before timing: the loss must be finite and fall over a few steps.
            let first = step()
            var last = first
            for _ in 0..<5 { last = step() }
            verify(first.isFinite && last.isFinite && last < first, "\(name): loss \(first) -> \(last) did not fall")
            let seconds = measure(seconds: 3, warmup: 2) { _ = step() }
            let ours = 1 / seconds
            var result = BenchResult(name: name, shape: shape + ", threads \(threads)", value: ours, unit: "steps/s")
            if let peer = peerStepsPerSecond(id, threads: threads) {
                result.reference = String(format: "pytorch %.2f steps/s", peer)
                result.ratio = ours / peer
            } else {
                result.reference = "pytorch peer not run (python3 cannot import torch)"
            }
            return result
        }
    }
}
