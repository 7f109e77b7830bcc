import Foundation
import Testing
@testable import Latent

// The ops a PyTorch user looks for first: each against a reference computed
// here in Double, and each differentiable one through checkGradients (central
// finite differences).

@Suite struct ExtendedOpsTests {
    let x = randomTensor([3, 4], seed: 11)

    @Test func powMatchesFoundationAndHasGradients() {
        let pos = randomTensor([3, 4], seed: 12, low: 0.3, high: 2)
        for p: Float in [3, 0.5, -1.5, 0] {
            expectClose(pow(pos, p), pos.scalars.map { Foundation.pow(Double($0), Double(p)) }, atol: 1e-5, rtol: 1e-5, "pow \(p)")
            checkGradients([pos], "pow(x, \(p))") { pow($0[0], p) }
        }
        // Integer power of a negative base is defined; a fractional one is NaN.
        #expect(pow(Tensor([-2]), 3).scalar == -8)
        #expect(pow(Tensor([-2]), 0.5).scalar.isNaN)
        let e = randomTensor([4], seed: 13, low: -1, high: 2)
        expectClose(pow(pos, e), (0..<12).map { Foundation.pow(Double(pos.scalars[$0]), Double(e.scalars[$0 % 4])) }, atol: 1e-5, rtol: 1e-5, "pow broadcast")
        checkGradients([pos, e], "pow(a, b)") { pow($0[0], $0[1]) }
        // d/db of 0^b is 0, not NaN.
        let zero = Tensor([0, 1]).tracked(), b = Tensor([2, 2]).tracked()
        let g = gradients(of: pow(zero, b).sum(), wrt: [zero, b])
        #expect(g[1].scalars == [0, 0])
    }

    @Test func softmaxAndLogSoftmax() {
        let big = x * 40  // exp overflows without the shift
        for axis in [0, 1, -1] {
            let a = axis < 0 ? 1 : axis
            var ref = [Double](repeating: 0, count: 12)
            for o in 0..<(a == 0 ? 4 : 3) {
                let idx = (0..<(a == 0 ? 3 : 4)).map { a == 0 ? $0 * 4 + o : o * 4 + $0 }
                let v = idx.map { Double(big.scalars[$0]) }
                let m = v.max()!
                let lse = m + Foundation.log(v.map { Foundation.exp($0 - m) }.reduce(0, +))
                for (i, j) in idx.enumerated() { ref[j] = v[i] - lse }
            }
            expectClose(logSoftmax(big, axis: axis), ref, atol: 1e-4, rtol: 1e-5, "logSoftmax axis \(axis)")
            expectClose(softmax(big, axis: axis), ref.map(Foundation.exp), atol: 1e-6, rtol: 1e-4, "softmax axis \(axis)")
            checkGradients([x], "softmax axis \(axis)") { softmax($0[0], axis: axis) }
            checkGradients([x], "logSoftmax axis \(axis)") { logSoftmax($0[0], axis: axis) }
        }
    }

    @Test func minArgmaxArgmin() {
        let t = Tensor(shape: [2, 3], scalars: [3, -1, 3, 0, 5, -2])
        #expect(t.min(axis: 1).scalars == [-1, -2])
        #expect(t.min(axis: 0).scalars == [0, -1, -2])
        #expect(t.argmax(axis: 1).scalars == [0, 1], "first index on ties")
        #expect(t.argmin(axis: 1).scalars == [1, 2])
        #expect(t.argmax(axis: 0, keepingDimension: true).shape == [1, 3])
        #expect(Tensor([1, .nan, 3]).argmax(axis: 0).scalar == 1, "NaN is the maximum, as in PyTorch")
        checkGradients([awayFromZero([3, 4], seed: 14)], "min(axis: 1)") { $0[0].min(axis: 1) }
        let r = randomTensor([2, 3, 5], seed: 15)
        let am = r.argmax(axis: 2)
        for i in 0..<2 { for j in 0..<3 {
            let row = (0..<5).map { r[i, j, $0] }
            #expect(Int(am[i, j]) == row.firstIndex(of: row.max()!)!)
        } }
    }

    @Test func varianceAndStandardDeviation() {
        let r = randomTensor([5, 3], seed: 16)
        for correction in [0, 1] {
            var ref: [Double] = []
            for c in 0..<3 {
                let col = (0..<5).map { Double(r[$0, c]) }
                let m = col.reduce(0, +) / 5
                ref.append(col.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(5 - correction))
            }
            expectClose(r.variance(axis: 0, correction: correction), ref, atol: 1e-6, "variance correction \(correction)")
            expectClose(r.standardDeviation(axis: 0, correction: correction), ref.map { $0.squareRoot() }, atol: 1e-6, "std")
            checkGradients([r], "variance(axis: 0) correction \(correction)") { $0[0].variance(axis: 0, correction: correction) }
            checkGradients([r], "std(axis: 1)") { $0[0].standardDeviation(axis: 1, correction: correction) }
        }
        let all = r.scalars.map(Double.init), m = all.reduce(0, +) / 15
        #expect(Swift.abs(Double(r.variance().scalar) - all.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 14) < 1e-6)
        #expect(r.variance(axis: 1, keepingDimension: true).shape == [5, 1])
    }

    @Test func stackSplitChunk() {
        let a = randomTensor([2, 3], seed: 17), b = randomTensor([2, 3], seed: 18)
        let s0 = stack([a, b]), s2 = stack([a, b], axis: 2), sl = stack([a, b], axis: -1)
        #expect(s0.shape == [2, 2, 3] && s2.shape == [2, 3, 2] && sl.shape == [2, 3, 2])
        #expect(s0[1, 0, 2] == b[0, 2] && s2[1, 2, 0] == a[1, 2] && s2[0, 1, 1] == b[0, 1])
        checkGradients([a, b], "stack axis 1") { stack($0, axis: 1) }

        let wide = randomTensor([3, 5], seed: 19)
        let parts = wide.split(sizes: [2, 0, 3], axis: 1)
        #expect(parts.map(\.shape) == [[3, 2], [3, 0], [3, 3]])
        #expect(parts[2][1, 0] == wide[1, 2])
        checkGradients([wide], "split") { ts in ts[0].split(sizes: [2, 3], axis: 1)[1] * 2 }
        #expect(wide.chunked(2, axis: 1).map(\.shape) == [[3, 3], [3, 2]])
        #expect(wide.chunked(4, axis: 0).map(\.shape) == [[1, 5], [1, 5], [1, 5]], "fewer chunks than asked when n < count")
        #expect(concatenate(wide.chunked(2, axis: 1), axis: 1).scalars == wide.scalars)
    }

    @Test func squeezeUnsqueezeAndRangeSubscripts() {
        let t = randomTensor([2, 1, 3], seed: 20)
        #expect(t.squeezed(axis: 1).shape == [2, 3] && t.squeezed().shape == [2, 3])
        #expect(t.unsqueezed(axis: 0).shape == [1, 2, 1, 3] && t.unsqueezed(axis: -1).shape == [2, 1, 3, 1])
        checkGradients([t], "squeezed/unsqueezed") { $0[0].squeezed(axis: 1).unsqueezed(axis: 0) * 3 }

        let m = randomTensor([4, 5], seed: 21)
        let block = m[1..<3, 2...]
        #expect(block.shape == [2, 3])
        #expect(block[0, 0] == m[1, 2] && block[1, 2] == m[2, 4])
        #expect(m[..<2].shape == [2, 5] && m[1...2].shape == [2, 5] && m[0..<4, 0..<5].scalars == m.scalars)
        checkGradients([m], "range subscript") { $0[0][1..<3, 2...] }
    }

    @Test func comparisons() {
        let a = Tensor([1, 2, 3, .nan]), b = Tensor([3, 2, 1, 0])
        #expect((a .< b).scalars == [1, 0, 0, 0])
        #expect((a .<= b).scalars == [1, 1, 0, 0])
        #expect((a .> b).scalars == [0, 0, 1, 0])
        #expect((a .>= b).scalars == [0, 1, 1, 0])
        #expect((a .== b).scalars == [0, 1, 0, 0])
        #expect((a .!= b).scalars == [1, 0, 1, 1])
        #expect((Tensor(shape: [2, 1], scalars: [0, 2]) .> Tensor([1, 3])).shape == [2, 2])
        #expect((a .> 1.5).scalars == [0, 1, 1, 0])
        #expect(!(a.tracked() .> b).isTracked, "comparisons carry no gradient")
    }

    @Test func linearOnHigherRankInputs() {
        var rng = RandomGenerator(seed: 22)
        let layer = Linear(4, 3, activation: .tanh, rng: &rng)
        let x3 = randomTensor([2, 5, 4], seed: 23)
        let y = layer(x3)
        #expect(y.shape == [2, 5, 3])
        // Each row of the rank-3 input maps as a rank-2 batch would.
        let flat = layer(x3.reshaped([10, 4]))
        #expect(y.scalars == flat.scalars)
        #expect(layer(randomTensor([4], seed: 24)).shape == [3])
        checkGradients([x3, layer.weight.value.detached()], "Linear rank 3") { ts in
            affine(ts[0].reshaped([-1, 4]), weight: ts[1], bias: nil, activation: .tanh).reshaped([2, 5, 3])
        }
        let input = x3.tracked()
        let g = gradients(of: layer(input).sum(), wrt: [input])[0]
        #expect(g.shape == [2, 5, 4])
    }

    @Test func elementsReadInPlace() {
        let t = randomTensor([100], seed: 25)
        #expect(Array(t.elements) == t.scalars)
        #expect(t.elements[37] == t.scalars[37] && t.elements.count == 100)
        var sum: Float = 0
        for v in t.elements { sum += v }
        #expect(sum == t.scalars.reduce(0, +))
    }

    @Test func tensorMetricOverloadsAgreeWithTheArrayVersions() throws {
        var rng = RandomGenerator(seed: 26)
        let n = 200
        let factors = (0..<n).map { [$0 % 4, ($0 / 4) % 3] }
        let codes = (0..<n).map { i -> [Double] in [Double(factors[i][0]) + Double(rng.uniform([1]).scalar) * 0.3, Double(rng.uniform([1]).scalar), Double(factors[i][1])] }
        let codeTensor = Tensor(shape: [n, 3], scalars: codes.flatMap { $0.map(Float.init) })
        let factorTensor = Tensor(shape: [n, 2], scalars: factors.flatMap { $0.map(Float.init) })
        let roundTrip = codeTensor.scalars.map(Double.init)
        let codesAsFloat = (0..<n).map { Array(roundTrip[($0 * 3)..<($0 * 3 + 3)]) }
        #expect(try mutualInformationGap(codes: codeTensor, factors: factorTensor) == mutualInformationGap(codes: codesAsFloat, factors: factors))
        #expect(try sapScore(trainCodes: codeTensor, trainFactors: factorTensor, testCodes: codeTensor, testFactors: factorTensor)
                == sapScore(trainCodes: codesAsFloat, trainFactors: factors, testCodes: codesAsFloat, testFactors: factors))
        let bad = Tensor(shape: [2, 1], scalars: [0, 0.5])
        #expect(throws: MetricError.self) { try mutualInformationGap(codes: Tensor.zeros([2, 1]), factors: bad) }
        #expect(throws: MetricError.self) { try mutualInformationGap(codes: Tensor.zeros([2]), factors: bad) }
    }
}
