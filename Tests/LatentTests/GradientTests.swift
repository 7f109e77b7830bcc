import Testing
@testable import Latent

/// Every differentiable op against central finite differences (see
/// `checkGradients` for the tolerance). Ops covered: add, subtract, multiply,
/// divide (with broadcasting), maximum, minimum, negate, exp, log, log1p, sqrt,
/// abs, square, sin, cos, relu, leakyReLU, elu, tanh, sigmoid, softplus, affine
/// (each activation), matmul (all transposes, batched), sum, sum(axis:), mean,
/// max(axis:), logSumExp, logMeanExp, reshaped, permuted, transposed, slice,
/// concatenate, flipped, gathering(rows:), expanded(to:), clamped, where,
/// masked(by:), conv2d, convTranspose2d, covariance, BatchNorm (training),
/// gaussianLogDensity, standardNormalLogDensity, binaryCrossEntropy,
/// klToStandardNormal.
@Suite struct GradientTests {
    @Test func binaryArithmeticWithBroadcasting() {
        let a = randomTensor([3, 4], seed: 1), b = randomTensor([4], seed: 2), c = randomTensor([3, 1], seed: 3, low: 0.5, high: 2)
        checkGradients([a, b], "add") { $0[0] + $0[1] }
        checkGradients([a, b], "subtract") { $0[0] - $0[1] }
        checkGradients([a, b], "multiply") { $0[0] * $0[1] }
        checkGradients([a, c], "divide") { $0[0] / $0[1] }
        checkGradients([a], "scalar ops") { (2 - $0[0]) * 3 + 1 / ($0[0] * $0[0] + 1) }
        checkGradients([a], "negate") { -$0[0] }
        let p = awayFromZero([3, 4], seed: 4), q = awayFromZero([3, 4], seed: 5)
        checkGradients([p, q], "maximum") { Tensor.maximum($0[0], $0[1]) }
        checkGradients([p, q], "minimum") { Tensor.minimum($0[0], $0[1]) }
    }

    @Test func pointwiseMath() {
        let x = randomTensor([2, 5], seed: 6), pos = randomTensor([2, 5], seed: 7, low: 0.3, high: 2)
        checkGradients([x], "exp") { exp($0[0]) }
        checkGradients([pos], "log") { log($0[0]) }
        checkGradients([pos], "log1p") { log1p($0[0]) }
        checkGradients([pos], "sqrt") { sqrt($0[0]) }
        checkGradients([awayFromZero([2, 5], seed: 8)], "abs") { abs($0[0]) }
        checkGradients([x], "square") { square($0[0]) }
        checkGradients([x], "sin") { sin($0[0]) }
        checkGradients([x], "cos") { cos($0[0]) }
    }

    @Test func activations() {
        let x = awayFromZero([3, 7], seed: 9) * 3
        checkGradients([x], "relu") { relu($0[0]) }
        checkGradients([x], "leakyReLU") { leakyReLU($0[0], negativeSlope: 0.2) }
        checkGradients([x], "elu") { elu($0[0], alpha: 1.5) }
        checkGradients([x], "tanh") { tanh($0[0]) }
        checkGradients([x], "sigmoid") { sigmoid($0[0]) }
        checkGradients([x], "softplus") { softplus($0[0]) }
    }

    @Test func affineWithEachActivation() {
        let x = randomTensor([5, 3], seed: 10), w = randomTensor([4, 3], seed: 11), b = randomTensor([4], seed: 12)
        let acts: [ActivationFunction] = [.identity, .relu, .leakyReLU(0.1), .elu(1), .tanh, .sigmoid, .softplus]
        for act in acts {
            checkGradients([x, w, b], "affine \(act)") { affine($0[0], weight: $0[1], bias: $0[2], activation: act) }
        }
        checkGradients([x, w], "affine without bias") { affine($0[0], weight: $0[1], bias: nil) }
    }

    @Test func matmulAllTransposes() {
        let a = randomTensor([3, 4], seed: 13), b = randomTensor([4, 5], seed: 14)
        checkGradients([a, b], "matmul NN") { matmul($0[0], $0[1]) }
        checkGradients([a.transposed(), b], "matmul TN") { matmul($0[0], $0[1], transposeA: true) }
        checkGradients([a, b.transposed()], "matmul NT") { matmul($0[0], $0[1], transposeB: true) }
        checkGradients([a.transposed(), b.transposed()], "matmul TT") { matmul($0[0], $0[1], transposeA: true, transposeB: true) }
        let ba = randomTensor([2, 3, 4], seed: 15), bb = randomTensor([2, 4, 2], seed: 16)
        checkGradients([ba, bb], "batched matmul") { matmul($0[0], $0[1]) }
        // Small inner dimension goes through the SIMD small-K kernel.
        let s1 = randomTensor([7, 2], seed: 17), s2 = randomTensor([2, 9], seed: 18)
        checkGradients([s1, s2], "matmul K=2") { matmul($0[0], $0[1]) }
    }

    @Test func reductions() {
        let x = randomTensor([3, 4, 2], seed: 19)
        checkGradients([x], "sum") { $0[0].sum() }
        checkGradients([x], "sum(axis: 1)") { $0[0].sum(axis: 1) }
        checkGradients([x], "sum(axis: -1, keep)") { $0[0].sum(axis: -1, keepingDimension: true) }
        checkGradients([x], "mean") { $0[0].mean() }
        checkGradients([x], "mean(axis: 0)") { $0[0].mean(axis: 0) }
        checkGradients([x], "max(axis: 1)") { $0[0].max(axis: 1) }
        checkGradients([x * 5], "logSumExp") { $0[0].logSumExp(axis: 1) }
        checkGradients([x * 5], "logMeanExp") { $0[0].logMeanExp(axis: 2) }
    }

    @Test func layoutOps() {
        let x = randomTensor([2, 3, 4], seed: 20)
        checkGradients([x], "reshaped") { $0[0].reshaped([6, -1]) * randomTensor([6, 4], seed: 1) }
        checkGradients([x], "permuted") { $0[0].permuted([2, 0, 1]) }
        checkGradients([x], "transposed") { $0[0].transposed(0, 2) }
        checkGradients([x], "slice") { $0[0].slice(axis: 1, 1..<3) }
        checkGradients([x], "flipped") { $0[0].flipped(axes: [0, 2]) }
        checkGradients([x], "gathering") { $0[0].gathering(rows: [1, 0, 1]) }
        checkGradients([randomTensor([3, 1], seed: 21)], "expanded") { $0[0].expanded(to: [2, 3, 5]) }
        let y = randomTensor([2, 2, 4], seed: 22)
        checkGradients([x, y], "concatenate") { concatenate([$0[0], $0[1]], axis: 1) }
    }

    @Test func selection() {
        let x = awayFromZero([4, 5], seed: 23)
        checkGradients([x], "clamped") { $0[0].clamped(min: -0.5, max: 0.6) }
        let cond = randomTensor([4, 5], seed: 24).greaterMask(0)
        let y = randomTensor([4, 5], seed: 25)
        checkGradients([x, y], "where") { `where`(cond, $0[0], $0[1]) }
        checkGradients([x], "masked") { $0[0].masked(by: cond) }
    }

    @Test func convolutions() {
        let x = randomTensor([2, 3, 6, 5], seed: 26), w = randomTensor([4, 3, 3, 3], seed: 27), b = randomTensor([4], seed: 28)
        checkGradients([x, w, b], "conv2d stride 2 pad 1") { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
        checkGradients([x, w], "conv2d stride 1 no pad") { conv2d($0[0], weight: $0[1], stride: 1, padding: 0) }
        let xt = randomTensor([2, 4, 3, 3], seed: 29), wt = randomTensor([4, 2, 4, 4], seed: 30), bt = randomTensor([2], seed: 31)
        checkGradients([xt, wt, bt], "convTranspose2d") { convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1) }
    }

    @Test func covarianceAndBatchNorm() {
        let x = randomTensor([9, 4], seed: 32) + randomTensor([4], seed: 33) * 3
        checkGradients([x], "covariance") { covariance($0[0]) }
        let bn = BatchNorm(3)
        let xb = randomTensor([2, 3, 3, 2], seed: 34)
        bn.weight.assign(randomTensor([3], seed: 35, low: 0.5, high: 1.5))
        bn.bias.assign(randomTensor([3], seed: 36))
        // The input path through the batch statistics; the scale and shift are
        // compared with the composed layer in fusedBatchNormMatchesComposed.
        checkGradients([xb], "BatchNorm2d training (input)") { bn($0[0]) }
        checkGradients([randomTensor([6, 3], seed: 37)], "BatchNorm1d training (input)") { bn($0[0]) }
    }

    /// The fused BatchNorm kernels against the layer composed from tensor ops
    /// (forward, running statistics, every gradient), training and evaluation.
    @Test func fusedBatchNormMatchesComposed() {
        for shape in [[4, 3, 5, 6], [7, 3], [2, 3, 1, 1]] {
            let fused = BatchNorm(3, momentum: 0.2), composed = BatchNorm(3, momentum: 0.2)
            for bn in [fused, composed] {
                bn.weight.assign(randomTensor([3], seed: 41, low: 0.5, high: 1.5))
                bn.bias.assign(randomTensor([3], seed: 42))
            }
            let x = (randomTensor(shape, seed: 43) * 2 + 1).tracked()
            let u = randomTensor(shape, seed: 44)
            for training in [true, false] {
                fused.isTraining = training
                composed.isTraining = training
                let y1 = fused(x), y2 = composed.composed(x)
                expectClose(y1, y2, atol: 1e-5, rtol: 1e-4, "BatchNorm \(shape) training \(training) y")
                expectClose(fused.runningMean.value, composed.runningMean.value, atol: 1e-6, rtol: 1e-5, "running mean")
                expectClose(fused.runningVar.value, composed.runningVar.value, atol: 1e-6, rtol: 1e-5, "running var")
                let g1 = gradients(of: (y1 * u).sum(), wrt: [x, fused.weight.value, fused.bias.value])
                let g2 = gradients(of: (y2 * u).sum(), wrt: [x, composed.weight.value, composed.bias.value])
                for (a, b) in zip(g1, g2) { expectClose(a, b, atol: 1e-4, rtol: 1e-4, "BatchNorm \(shape) training \(training) gradient") }
            }
        }
    }

    @Test func lossesAndDensities() {
        let x = randomTensor([4, 3], seed: 37), m = randomTensor([4, 3], seed: 38), lv = randomTensor([4, 3], seed: 39)
        checkGradients([x, m, lv], "gaussianLogDensity") { gaussianLogDensity($0[0], mean: $0[1], logVariance: $0[2]) }
        checkGradients([x], "standardNormalLogDensity") { standardNormalLogDensity($0[0]) }
        let t = randomTensor([4, 3], seed: 40).greaterMask(0)
        checkGradients([x * 4], "binaryCrossEntropy") { binaryCrossEntropy(logits: $0[0], targets: t) }
        checkGradients([m, lv], "klToStandardNormal") { klToStandardNormal(mean: $0[0], logVariance: $0[1]) }
    }

    @Test func largeTensorsUseDirectionalChecks() {
        let a = randomTensor([20, 30], seed: 41), b = randomTensor([30, 10], seed: 42)
        checkGradients([a, b], "matmul 20x30x10") { tanh(matmul($0[0], $0[1])) }
    }
}
