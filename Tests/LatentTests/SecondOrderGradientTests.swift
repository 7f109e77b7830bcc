import Foundation
import Testing
@testable import Latent

// Second derivatives: gradients(of:wrt:createGraph: true) records the backward
// pass, and differentiating a projection of that gradient gives a Hessian-vector
// product. Each check compares it with central finite differences of the
// first gradient computed by the ordinary (unrecorded) backward pass, so the
// reference shares nothing with the recorded rules under test.

/// For a scalar f, checks d/dx <grad f(x), u> (= H u) against
/// (<grad f(x + h v), u> - <grad f(x - h v), u>) / 2h along per-element (small
/// inputs) or three random (large inputs) directions v, and that the recorded
/// first gradient equals the ordinary one. Inputs should keep kinks (relu, abs,
/// max) farther than h from every evaluation point.
private func checkSecondDerivatives(_ inputs: [Tensor], h: Float = 1e-3, tolerance: Double = 2e-2, _ what: String,
                                    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) {
    var rng = RandomGenerator(seed: 4242)
    let us = inputs.map { rng.uniform($0.shape, low: -1, high: 1) }
    func projectedGradient(_ xs: [Tensor]) -> Double {
        let t = xs.map { $0.detached().tracked() }
        let g = gradients(of: f(t), wrt: t)
        return zip(g, us).reduce(0.0) { acc, pair in
            acc + zip(pair.0.elements, pair.1.elements).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
    }
    let tracked = inputs.map { $0.detached().tracked() }
    let recorded = gradients(of: f(tracked), wrt: tracked, createGraph: true)
    let fresh = inputs.map { $0.detached().tracked() }
    let plain = gradients(of: f(fresh), wrt: fresh)
    for (i, (r, p)) in zip(recorded, plain).enumerated() {
        let gap = zip(r.elements, p.elements).map { Swift.abs(Double($0) - Double($1)) }.max() ?? 0
        #expect(gap <= 1e-5 * Swift.max(1, p.elements.map { Swift.abs(Double($0)) }.max() ?? 0),
                "\(what): recorded first gradient \(i) differs from the plain one by \(gap)", sourceLocation: sourceLocation)
    }
    let s = zip(recorded, us).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
    guard s.isTracked else {
        Issue.record("\(what): the projected gradient is not tracked, so it has no second derivative", sourceLocation: sourceLocation)
        return
    }
    let hessianTimesU = gradients(of: s, wrt: tracked)
    for (j, x) in inputs.enumerated() {
        let directions: [Tensor] = x.count <= 24
            ? (0..<x.count).map { k in var e = [Float](repeating: 0, count: x.count); e[k] = 1; return Tensor(shape: x.shape, scalars: e) }
            : (0..<3).map { _ in rng.uniform(x.shape, low: -1, high: 1) }
        for (d, v) in directions.enumerated() {
            var plus = inputs, minus = inputs
            plus[j] = x + v * h
            minus[j] = x - v * h
            let numeric = (projectedGradient(plus) - projectedGradient(minus)) / Double(2 * h)
            let analytic = zip(hessianTimesU[j].elements, v.elements).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            #expect(Swift.abs(analytic - numeric) <= tolerance * Swift.max(1, Swift.abs(numeric)),
                    "\(what): input \(j) direction \(d): recorded \(analytic), finite differences \(numeric)", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct SecondOrderGradientTests {
    let u23 = randomTensor([2, 3], seed: 7)

    @Test func elementwiseArithmeticWithBroadcasting() {
        let a = awayFromZero([2, 3], seed: 1), b = awayFromZero([1, 3], seed: 2) + 2
        checkSecondDerivatives([a, b], "arithmetic") { t in
            ((t[0] * t[1] + t[0] / t[1] - t[1] * 3 + (-t[0]) * t[0]) * u23).sum()
        }
    }

    @Test func pointwiseMath() {
        let x = awayFromZero([2, 3], seed: 3), p = randomTensor([2, 3], seed: 4, low: 0.5, high: 2)
        checkSecondDerivatives([x], "exp, square, sin, cos, abs") { t in
            ((exp(t[0]) + square(t[0]) * sin(t[0]) + cos(t[0]) * abs(t[0]) + pow(t[0], 3)) * u23).sum()
        }
        checkSecondDerivatives([p], "log, log1p, sqrt, pow") { t in
            ((log(t[0]) + log1p(t[0]) * sqrt(t[0]) + pow(t[0], -1.5)) * u23).sum()
        }
    }

    @Test func activations() {
        let x = awayFromZero([2, 3], seed: 5) * 2
        let cases: [(String, (Tensor) -> Tensor)] = [
            ("relu", relu), ("leakyReLU", { leakyReLU($0, negativeSlope: 0.2) }), ("elu", { elu($0, alpha: 0.7) }),
            ("tanh", tanh), ("sigmoid", sigmoid), ("softplus", softplus),
        ]
        for (name, act) in cases {
            // act(x)^2 * x: a non-zero second derivative for every activation, ReLU included.
            checkSecondDerivatives([x], name) { t in (square(act(t[0])) * t[0] * u23).sum() }
        }
    }

    @Test func linearLayersWithEachActivation() {
        let x = randomTensor([4, 3], seed: 6), w = randomTensor([5, 3], seed: 7), b = randomTensor([5], seed: 8)
        let u = randomTensor([4, 5], seed: 9)
        for act in [ActivationFunction.identity, .relu, .leakyReLU(0.2), .elu(1), .tanh, .sigmoid, .softplus] {
            // The penalty's shape: the squared input gradient of a layer, differentiated again.
            checkSecondDerivatives([x, w, b], "affine \(act)") { t in
                (square(affine(t[0], weight: t[1], bias: t[2], activation: act)) * u).sum()
            }
        }
    }

    @Test func matmulInEveryTransposeForm() {
        let a = randomTensor([3, 4], seed: 10), b = randomTensor([4, 2], seed: 11)
        let bt = randomTensor([2, 4], seed: 12), at = randomTensor([4, 3], seed: 13)
        checkSecondDerivatives([a, b], "matmul") { t in square(matmul(t[0], t[1])).sum() }
        checkSecondDerivatives([a, bt], "matmul transposeB") { t in square(matmul(t[0], t[1], transposeB: true)).sum() }
        checkSecondDerivatives([at, b], "matmul transposeA") { t in square(matmul(t[0], t[1], transposeA: true)).sum() }
    }

    @Test func reductions() {
        let x = awayFromZero([3, 4], seed: 14)
        let u = randomTensor([3], seed: 15)
        checkSecondDerivatives([x], "sum(axis:), mean") { t in (square(t[0].sum(axis: 1)) * u).sum() + square(t[0].mean()) }
        checkSecondDerivatives([x], "logSumExp(axis:)") { t in (square(t[0].logSumExp(axis: 1)) * u).sum() }
        checkSecondDerivatives([x], "softmax") { t in (softmax(t[0], axis: 1) * t[0]).sum() }
        checkSecondDerivatives([x], "max(axis:)") { t in (square(t[0].max(axis: 1)) * u).sum() }
    }

    @Test func layoutOps() {
        let x = randomTensor([2, 3, 2], seed: 16), y = randomTensor([2, 1, 2], seed: 17)
        checkSecondDerivatives([x, y], "reshape, permute, slice, concatenate, expand, flip") { t in
            let joined = concatenate([t[0], t[1]], axis: 1)                        // (2, 4, 2)
            let moved = joined.permuted([2, 0, 1]).reshaped([4, 4]).flipped(axes: [0])
            let part = moved[1..<3, 0..<3] * t[1].reshaped([1, 4]).slice(axis: 1, 1..<4).expanded(to: [2, 3])
            return square(part).sum() + (part * moved.slice(axis: 0, 0..<2).slice(axis: 1, 1..<4)).sum()
        }
    }

    @Test func convolutions() {
        let x = randomTensor([2, 2, 5, 5], seed: 18), w = randomTensor([3, 2, 3, 3], seed: 19), b = randomTensor([3], seed: 20)
        for (stride, padding) in [(1, 1), (2, 1), (2, 0)] {
            checkSecondDerivatives([x, w, b], "conv2d stride \(stride) padding \(padding)") { t in
                let y = conv2d(t[0], weight: t[1], bias: t[2], stride: stride, padding: padding)
                return (square(y) * randomTensor(y.shape, seed: 21)).sum()
            }
        }
        let z = randomTensor([2, 3, 3, 3], seed: 22), wt = randomTensor([3, 2, 4, 4], seed: 23), bt = randomTensor([2], seed: 24)
        checkSecondDerivatives([z, wt, bt], "convTranspose2d stride 2 padding 1") { t in
            let y = convTranspose2d(t[0], weight: t[1], bias: t[2], stride: 2, padding: 1)
            return (square(y) * randomTensor(y.shape, seed: 25)).sum()
        }
    }

    @Test func aCustomOpWithADifferentiableBackward() {
        let x = awayFromZero([2, 3], seed: 26)
        func softsign(_ x: Tensor) -> Tensor {
            customOp("softsign", inputs: [x], backwardIsDifferentiable: true,
                     forward: { xs in
                         var v = xs[0].scalars
                         for i in v.indices { v[i] = v[i] / (1 + Swift.abs(v[i])) }   // raw elements: forward records nothing
                         return Tensor(shape: xs[0].shape, scalars: v)
                     },
                     backward: { g, xs, _ in [g / square(abs(xs[0]) + 1)] })
        }
        let first = gradientCheck([x]) { t in softsign(t[0]) * 4 }   // scaled: errors are relative to max(1, |derivative|)
        #expect(first.passed && first.largestDerivative > 0.5, "\(first)")
        checkSecondDerivatives([x], "custom softsign") { t in (square(softsign(t[0])) * u23).sum() }
    }

    @Test func theGradientCheckCatchesAWrongRule() {
        let x = awayFromZero([2, 3], seed: 27)
        let wrong = gradientCheck([x]) { t in
            customOp("wrong square", inputs: t, forward: { $0[0] * $0[0] }, backward: { g, xs, _ in [g * xs[0]] })  // missing the 2
        }
        #expect(!wrong.passed && wrong.maxError > 0.1, "\(wrong)")
        let right = gradientCheck([x]) { t in t[0] * t[0] }
        #expect(right.passed, "\(right)")
    }
}

/// An op without a recorded backward stops a second-order pass with its name.
@Suite struct SecondOrderGradientErrorTests {
    @Test func batchNormIsNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let norm = BatchNorm(3)
            let x = Tensor(shape: [4, 3], scalars: (0..<12).map { Float($0) * 0.37 }).tracked()
            _ = gradients(of: square(norm(x)).sum(), wrt: [x], createGraph: true)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("batchNorm") && text.contains("second"), "stderr: \(text)")
    }

    @Test func aCustomOpWithoutTheFlagIsNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor(shape: [3], scalars: [1, 2, 3]).tracked()
            let y = customOp("mySquare", inputs: [x], forward: { $0[0] * $0[0] }, backward: { g, xs, _ in [g * xs[0] * 2] })
            _ = gradients(of: y.sum(), wrt: [x], createGraph: true)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("mySquare"), "stderr: \(text)")
    }
}
