import Foundation
import Latent

// A differentiable op defined outside the library: forward and backward rules
// handed to `customOp`, checked against finite differences with
// `gradientCheck`, then used inside a model and differentiated twice (a
// gradient penalty through it).
//
// usage: CustomOp     exits 1 when a check fails

/// softsign(x) = x / (1 + |x|), with derivative 1 / (1 + |x|)^2.
///
/// The forward pass reads and writes elements directly (it records nothing);
/// the backward rule is built from Latent's ops on the inputs, so it can itself
/// be differentiated: `backwardIsDifferentiable: true` says so.
func softsign(_ x: Tensor) -> Tensor {
    customOp("softsign", inputs: [x], backwardIsDifferentiable: true,
             forward: { inputs in
                 let v = inputs[0].elements
                 return Tensor(shape: inputs[0].shape, scalars: v.map { $0 / (1 + abs($0)) })
             },
             backward: { gradient, inputs, _ in [gradient / square(abs(inputs[0]) + 1)] })
}

var failures: [String] = []
var rng = RandomGenerator(seed: 0)

// 1. The op alone, and inside a small network (weights, bias, the op, a sum).
let x = rng.normal([4, 3])
let alone = gradientCheck([x]) { t in softsign(t[0]) }
print("softsign alone:          \(alone)")
// Errors are relative to max(1, |derivative|): a check is only as strong as its derivatives are large.
func weak(_ r: GradientCheckResult) -> Bool { r.largestDerivative < 0.5 }
if !alone.passed || weak(alone) { failures.append("softsign's gradient disagrees with finite differences") }

let w = rng.normal([5, 3]), b = rng.normal([5])
let inNetwork = gradientCheck([x, w, b]) { t in softsign(affine(t[0], weight: t[1], bias: t[2])) * 2 }
print("softsign in a layer:     \(inNetwork)")
if !inNetwork.passed || weak(inNetwork) { failures.append("the layer's gradients through softsign disagree with finite differences") }

// 2. Second derivatives: an R1-style penalty (squared input gradient) of a
//    critic that uses the op, differentiated in the critic's weights.
func critic(_ t: [Tensor]) -> (Tensor) -> Tensor {
    { points in affine(softsign(affine(points, weight: t[0], bias: t[1])), weight: t[2], bias: nil) }
}
let weights = [rng.normal([8, 2]), rng.normal([8]), rng.normal([1, 8])]
let points = rng.normal([16, 2])
let penalty = gradientCheck(weights) { t in r1Penalty(discriminator: critic(t), real: points, gamma: 10) }
print("penalty through softsign: \(penalty)")
if !penalty.passed || weak(penalty) { failures.append("second derivatives through softsign disagree with finite differences") }

// 3. A wrong rule is caught: the same op with its derivative off by a factor 2.
let wrong = gradientCheck([x]) { t in
    customOp("bad softsign", inputs: t, forward: { softsign($0[0]) }, backward: { g, xs, _ in [g * 2 / square(abs(xs[0]) + 1)] })
}
print("a deliberately wrong rule: \(wrong)")
if wrong.passed { failures.append("the gradient check did not notice a wrong backward rule") }

if failures.isEmpty {
    print("PASS: the custom op's first and second derivatives agree with finite differences")
} else {
    for f in failures { print("FAIL: \(f)") }
    exit(1)
}
