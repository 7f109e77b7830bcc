import Foundation
import Latent

// A normalizing flow whose coupling layer is written here, from Latent's public
// ops, and fitted to a density whose log-density is known in closed form: the
// held-out NLL is checked against the true value.
//
// usage: CustomFlow [steps]     exits 1 when the fit misses the stated margin

/// The "banana": x1 ~ N(0, 1), x2 | x1 ~ N(x1^2 / 2 - 1, 0.5^2).
enum Banana {
    static let sigma: Float = 0.5

    static func sample(_ n: Int, rng: inout RandomGenerator) -> Tensor {
        let e = rng.normal([n, 2]).chunked(2, axis: 1)             // two (n, 1) columns
        let x1 = e[0], x2 = x1 * x1 * 0.5 - 1 + e[1] * sigma
        return concatenate([x1, x2], axis: 1)
    }

    /// log p(x) per row, in Double, read in place through `elements`.
    static func logDensity(_ x: Tensor) -> [Double] {
        let v = x.elements, s = Double(sigma), c = 0.5 * log(2 * Double.pi)
        return (0..<x.shape[0]).map { i in
            let x1 = Double(v[2 * i]), x2 = Double(v[2 * i + 1])
            let r = (x2 - (x1 * x1 / 2 - 1)) / s
            return -c - x1 * x1 / 2 - c - log(s) - r * r / 2
        }
    }
}

/// An affine coupling: column `keep` passes through and sets a scale and a
/// shift for the other column, z_b = x_b * exp(s(x_a)) + t(x_a), so that
/// log|det dz/dx| = s. The scale goes through tanh to keep exp(s) bounded.
final class Coupling: Flow {
    let net: Sequential
    let keep: Int
    var isTraining = true

    init(keep: Int, hidden: Int, rng: inout RandomGenerator) {
        self.keep = keep
        net = MLP([1, hidden, hidden, 2], rng: &rng)
    }

    private func split(_ x: Tensor) -> (kept: Tensor, moved: Tensor) {
        let columns = x.chunked(2, axis: 1)
        return (columns[keep], columns[1 - keep])
    }

    private func join(kept: Tensor, moved: Tensor) -> Tensor {
        concatenate(keep == 0 ? [kept, moved] : [moved, kept], axis: 1)
    }

    private func scaleAndShift(_ kept: Tensor) -> (s: Tensor, t: Tensor) {
        let h = net(kept).chunked(2, axis: 1)
        return (tanh(h[0]), h[1])
    }

    func forward(_ x: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (a, b) = split(x)
        let (s, t) = scaleAndShift(a)
        return (join(kept: a, moved: b * exp(s) + t), s.sum(axis: 1))
    }

    func inverse(_ z: Tensor, context: Tensor?) -> (output: Tensor, logDet: Tensor) {
        let (a, b) = split(z)
        let (s, t) = scaleAndShift(a)
        return (join(kept: a, moved: (b - t) * exp(-s)), -s.sum(axis: 1))
    }
}

let steps = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 3000
/// Largest accepted KL(p || model) estimate on held-out data, in nats.
let margin = 0.02

var rng = RandomGenerator(seed: 0)
let flow = FlowSequence((0..<6).map { Coupling(keep: $0 % 2, hidden: 64, rng: &rng) })
let model = FlowModel(flow: flow, eventShape: [2])
// The module lists nothing by hand: reflection finds every coupling's network.
let forgotten = model.unregisteredMembers()
guard forgotten.isEmpty else { print("FAIL: unregistered members \(forgotten)"); exit(1) }
print("CustomFlow: 6 couplings written from public ops, \(model.parameters.count) parameter tensors")

let optimizer = Adam(model.parameters, learningRate: 1e-3)
let start = Date()
for step in 1...steps {
    let loss = model.negativeLogLikelihood(Banana.sample(256, rng: &rng))   // mean NLL in nats
    backward(loss, to: model.parameters)
    optimizer.step()
    if step % 500 == 0 || step == steps { print("  step \(step)  nll \(String(format: "%.4f", loss.scalar))") }
}
let seconds = Date().timeIntervalSince(start)

let heldOut = Banana.sample(20_000, rng: &rng)
let modelLogP = withoutGradients { model.logProb(heldOut) }.elements.map { Double($0) }
let trueLogP = Banana.logDensity(heldOut)
let n = Double(trueLogP.count)
let modelNLL = -modelLogP.reduce(0, +) / n, trueNLL = -trueLogP.reduce(0, +) / n
// KL(p || model) estimated on the same points: the difference of the two NLLs,
// with the standard error of the per-point difference.
let gaps = zip(trueLogP, modelLogP).map { $0 - $1 }
let kl = gaps.reduce(0, +) / n
let squaredDeviations: Double = gaps.reduce(0) { $0 + ($1 - kl) * ($1 - kl) }
let klSE = (squaredDeviations / (n - 1) / n).squareRoot()
let roundTrip = withoutGradients { flow.inverse(flow.forward(heldOut).output).output - heldOut }
let roundTripError = roundTrip.elements.map { abs($0) }.max() ?? 0

// The true NLL's expectation is the entropy, log(2 pi e) + log(sigma) for the
// banana (its map from (x1, x2) to two independent normals has Jacobian 1 / sigma):
// a sampler or density that disagreed with the other would show here.
let entropy = log(2 * Double.pi * exp(1)) + log(Double(Banana.sigma))
let trueSE = (trueLogP.reduce(0) { $0 + ($1 + trueNLL) * ($1 + trueNLL) } / (n - 1) / n).squareRoot()
print(String(format: "true NLL on the held-out points %.4f +- %.4f, the banana's entropy %.4f", trueNLL, trueSE, entropy))
print(String(format: "held-out NLL %.4f nats, true %.4f; KL estimate %.4f +- %.4f (margin %.2f); %.0f steps/s",
             modelNLL, trueNLL, kl, klSE, margin, Double(steps) / seconds))
print(String(format: "inverse(forward(x)) - x: max |error| %.2e", Double(roundTripError)))
var failures: [String] = []
if !(kl < margin) { failures.append(String(format: "KL %.4f is not below the margin %.2f nats", kl, margin)) }
if !(abs(trueNLL - entropy) < 4 * trueSE) { failures.append("the sampler and the true density disagree: NLL \(trueNLL) against entropy \(entropy)") }
if !(roundTripError < 1e-4) { failures.append("the coupling does not invert (error \(roundTripError))") }
if failures.isEmpty {
    print("PASS: the custom flow's held-out NLL is within \(margin) nats of the true density's")
} else {
    for f in failures { print("FAIL: \(f)") }
    exit(1)
}
