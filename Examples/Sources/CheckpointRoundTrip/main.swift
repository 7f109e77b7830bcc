import Foundation
import Latent

// A checkpoint round trip through the generic API: a flow of ActNorm and
// affine coupling layers is trained, saved with its Adam state, loaded into
// a model built from a different seed, and must then agree bit for bit: every
// state-dictionary tensor, the log-density in training mode (where ActNorm
// would re-initialise itself had its flag not been restored), and one more
// optimizer step on both.
//
// usage: CheckpointRoundTrip [steps]     exits 1 on any difference

let steps = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100

/// ActNorm before each of four couplings, on 8 gaussians.
func makeModel(seed: UInt64) -> FlowModel {
    var rng = RandomGenerator(seed: seed)
    let layers: [any Flow] = (0..<4).flatMap { i -> [any Flow] in
        [ActNorm(channels: 2),
         AffineCoupling(mask: CouplingMask.alternating(2, parity: i % 2), hidden: [32, 32], rng: &rng)]
    }
    return FlowModel(flow: FlowSequence(layers), eventShape: [2])
}

/// The bit patterns of a tensor's elements, for exact comparison (NaN-safe).
func bits(_ t: Tensor) -> [UInt32] { t.elements.map(\.bitPattern) }

var failures: [String] = []
@MainActor func expect(_ condition: Bool, _ what: @autoclosure () -> String) { if !condition { failures.append(what()) } }

var rng = RandomGenerator(seed: 1)
let original = makeModel(seed: 1)
let originalOptimizer = Adam(original.parameters, learningRate: 1e-3)
for _ in 0..<steps {
    backward(original.negativeLogLikelihood(ToyDensity.eightGaussians.sample(256, rng: &rng)), to: original.parameters)
    originalOptimizer.step()
}

let path = FileManager.default.temporaryDirectory.appendingPathComponent("latent-roundtrip-\(getpid()).safetensors").path
defer { try? FileManager.default.removeItem(atPath: path) }
let restored = makeModel(seed: 2)
let restoredOptimizer = Adam(restored.parameters, learningRate: 1e-3)
do {
    try Checkpoint.save(to: path, module: original, optimizer: originalOptimizer, rng: rng, step: steps)
    let info = try Checkpoint.load(from: path, into: restored, optimizer: restoredOptimizer)
    expect(info.step == steps, "the step read back is \(info.step), not \(steps)")
    expect(info.missingModuleState.isEmpty, "module state missing from the file: \(info.missingModuleState)")
} catch {
    print("FAIL: \(error)")
    exit(1)
}
let saved = original.stateDictionary(), loaded = restored.stateDictionary()
print("CheckpointRoundTrip: \(saved.count) state tensors after \(steps) steps, \(path.split(separator: "/").last!)")

expect(saved.keys.sorted() == loaded.keys.sorted(), "the state dictionaries name different tensors")
for (name, value) in saved.sorted(by: { $0.key < $1.key }) {
    guard let other = loaded[name] else { continue }
    expect(value.shape == other.shape && bits(value) == bits(other), "state tensor \(name) differs after the round trip")
}

// Training mode on fresh data: an ActNorm that lost its flag would initialise from this batch.
let probe = ToyDensity.eightGaussians.sample(512, rng: &rng)
let before = bits(withoutGradients { original.logProb(probe) })
let after = bits(withoutGradients { restored.logProb(probe) })
expect(before == after, "log p(x) differs after loading (ActNorm re-initialised, or a tensor was not restored)")

// One more step on the same batch: the Adam moments and step count came back too.
let batch = ToyDensity.eightGaussians.sample(256, rng: &rng)
for (model, optimizer) in [(original, originalOptimizer), (restored, restoredOptimizer)] {
    backward(model.negativeLogLikelihood(batch), to: model.parameters)
    optimizer.step()
}
let stepped = original.stateDictionary(), steppedRestored = restored.stateDictionary()
let divergent = stepped.keys.sorted().filter { bits(stepped[$0]!) != bits(steppedRestored[$0]!) }
expect(divergent.isEmpty, "after one more Adam step these tensors differ: \(divergent.joined(separator: ", "))")

if failures.isEmpty {
    print("PASS: state, log-density and the next optimizer step are bit-identical after the round trip")
} else {
    for f in failures { print("FAIL: \(f)") }
    exit(1)
}
