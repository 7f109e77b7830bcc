import Foundation
import Testing
@testable import Latent

// Every invertible layer: inverse(forward(x)) == x and the log-dets against
// log|det J| of the full Jacobian from the tape (one backward pass per output
// feature, in small dimension).

/// Relative error |a - b| / |b| (Euclidean norms).
func relativeError(_ a: Tensor, _ b: Tensor) -> Double {
    let num = zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
    let den = b.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
    return (num / Swift.max(den, 1e-30)).squareRoot()
}

/// log|det A| of a square row-major matrix by LU with partial pivoting, in double.
func logAbsDeterminant(_ m: [Double], _ d: Int) -> Double {
    var a = m
    var total = 0.0
    for k in 0..<d {
        let p = (k..<d).max { Swift.abs(a[$0 * d + k]) < Swift.abs(a[$1 * d + k]) }!
        if p != k { for j in 0..<d { a.swapAt(k * d + j, p * d + j) } }
        let piv = a[k * d + k]
        if piv == 0 { return -.infinity }
        total += Foundation.log(Swift.abs(piv))
        for i in (k + 1)..<Swift.max(k + 1, d) {
            let f = a[i * d + k] / piv
            for j in k..<d { a[i * d + j] -= f * a[k * d + j] }
        }
    }
    return total
}

/// Per-example Jacobians of f: (N, ...) -> (N, ...) with rows independent:
/// one backward pass per output feature gives that row for every example.
func jacobians(_ x: Tensor, _ f: (Tensor) -> Tensor) -> [[Double]] {
    let n = x.shape[0], d = x.count / n
    var jac = [[Double]](repeating: [Double](repeating: 0, count: d * d), count: n)
    let xt = x.tracked()
    let y = f(xt).reshaped([n, d])
    for i in 0..<d {
        var sel = [Float](repeating: 0, count: d)
        sel[i] = 1
        let g = gradients(of: (y * Tensor(shape: [1, d], scalars: sel)).sum(), wrt: [xt])[0].scalars
        for e in 0..<n { for j in 0..<d { jac[e][i * d + j] = Double(g[e * d + j]) } }
    }
    return jac
}

/// The round trip and both log-dets of one flow at x.
func checkInvertible(_ flow: any Flow, _ x: Tensor, context: Tensor? = nil, logDetTolerance: Double = 2e-3, _ what: String,
                     sourceLocation: SourceLocation = #_sourceLocation) {
    let (z, ldf) = withoutGradients { flow.forward(x, context: context) }
    let (back, ldi) = withoutGradients { flow.inverse(z, context: context) }
    let err = relativeError(back, x)
    #expect(err < 1e-4, "\(what): inverse(forward(x)) relative error \(err)", sourceLocation: sourceLocation)
    let jac = jacobians(x) { flow.forward($0, context: context).output }
    let n = x.shape[0], d = x.count / n
    for e in 0..<n {
        let exact = logAbsDeterminant(jac[e], d)
        let fwd = Double(ldf.scalars[e]), inv = Double(ldi.scalars[e])
        #expect(Swift.abs(fwd - exact) <= logDetTolerance * Swift.max(1, Swift.abs(exact)),
                "\(what): forward log-det \(fwd) vs log|det J| \(exact) (example \(e))", sourceLocation: sourceLocation)
        #expect(Swift.abs(inv + fwd) <= logDetTolerance * Swift.max(1, Swift.abs(fwd)),
                "\(what): inverse log-det \(inv) vs -forward \(-fwd) (example \(e))", sourceLocation: sourceLocation)
    }
}

@Suite struct FlowLayerTests {
    @Test func affineCouplingOnVectors() {
        var rng = RandomGenerator(seed: 1)
        for parity in [0, 1] {
            let layer = AffineCoupling(mask: CouplingMask.alternating(5, parity: parity), hidden: [16, 16], rng: &rng)
            checkInvertible(layer, randomTensor([3, 5], seed: 2, low: -2, high: 2), "coupling parity \(parity)")
        }
    }

    @Test func affineCouplingOnImagesWithCheckerboardAndChannelMasks() {
        var rng = RandomGenerator(seed: 3)
        let masks = [CouplingMask.checkerboard(channels: 2, height: 3, width: 4, parity: 0),
                     CouplingMask.checkerboard(channels: 2, height: 3, width: 4, parity: 1),
                     CouplingMask.channel(channels: 2, height: 3, width: 4, parity: 0),
                     CouplingMask.channel(channels: 2, height: 3, width: 4, parity: 1)]
        for (i, mask) in masks.enumerated() {
            let s = Conv2d(2, 2, kernelSize: 3, padding: 1, activation: .tanh, rng: &rng)
            let t = Conv2d(2, 2, kernelSize: 3, padding: 1, rng: &rng)
            let layer = AffineCoupling(mask: mask, scaleNet: s, shiftNet: t)
            checkInvertible(layer, randomTensor([2, 2, 3, 4], seed: 4, low: -2, high: 2), "image coupling mask \(i)")
        }
        #expect(CouplingMask.checkerboard(channels: 1, height: 2, width: 2, parity: 0).scalars == [1, 0, 0, 1])
        #expect(CouplingMask.channel(channels: 2, height: 1, width: 2, parity: 1).scalars == [0, 0, 1, 1])
    }

    @Test func conditionalCouplingUsesTheContext() {
        var rng = RandomGenerator(seed: 5)
        let layer = AffineCoupling(mask: CouplingMask.alternating(4, parity: 1), hidden: [16], contextFeatures: 3, rng: &rng)
        let x = randomTensor([3, 4], seed: 6), c1 = randomTensor([3, 3], seed: 7), c2 = randomTensor([3, 3], seed: 8)
        checkInvertible(layer, x, context: c1, "conditional coupling")
        let z1 = withoutGradients { layer.forward(x, context: c1).output }, z2 = withoutGradients { layer.forward(x, context: c2).output }
        #expect(relativeError(z1, z2) > 1e-3, "the context must change the output")
    }

    @Test func couplingGradientThroughTheFusedKernel() {
        let mask = CouplingMask.alternating(7, parity: 0)
        for inverse in [false, true] {
            checkGradients([randomTensor([3, 7], seed: 9), randomTensor([3, 7], seed: 10, low: -2, high: 2), randomTensor([3, 7], seed: 11)],
                           "affineCoupling inverse \(inverse)") { xs in
                let (y, ld) = affineCoupling(xs[0], logScale: xs[1], shift: xs[2], mask: mask, inverse: inverse)
                return concatenate([y, ld.reshaped([-1, 1])], axis: 1)
            }
        }
    }

    @Test(arguments: [AutoregressiveOrder.natural, .reversed, .random(seed: 7)])
    func madeIsAutoregressive(order: AutoregressiveOrder) {
        var rng = RandomGenerator(seed: 12)
        let made = MADE(features: 5, hidden: [16, 16, 16], outputBlocks: 2, order: order, rng: &rng)
        let x = randomTensor([1, 5], seed: 13)
        for block in 0..<2 {
            let jac = jacobians(x) { made($0)[block] }[0]
            for i in 0..<5 {
                for j in 0..<5 where made.degrees[j] >= made.degrees[i] {
                    #expect(jac[i * 5 + j] == 0, "output \(i) (degree \(made.degrees[i])) depends on input \(j) (degree \(made.degrees[j]))")
                }
            }
        }
        // Some dependence exists at all (the masks are not all zero).
        let jac = jacobians(x) { made($0)[0] }[0]
        #expect(jac.contains { $0 != 0 })
    }

    @Test(arguments: [AutoregressiveOrder.natural, .reversed, .random(seed: 3)])
    func mafAndIAFSlowDirectionInvertsTheFastOne(order: AutoregressiveOrder) {
        var rng = RandomGenerator(seed: 14)
        let maf = MaskedAutoregressiveFlow(features: 4, hidden: [16, 16], order: order, rng: &rng)
        checkInvertible(maf, randomTensor([3, 4], seed: 15), "MAF \(order)")
        let iaf = InverseAutoregressiveFlow(features: 4, hidden: [16, 16], contextFeatures: 2, order: order, rng: &rng)
        // IAF's fast direction is the inverse: sample, then recover the noise in D passes.
        let u = randomTensor([3, 4], seed: 16), ctx = randomTensor([3, 2], seed: 17)
        let (x, ldFast) = withoutGradients { iaf.inverse(u, context: ctx) }
        let (back, ldSlow) = withoutGradients { iaf.forward(x, context: ctx) }
        #expect(relativeError(back, u) < 1e-4)
        expectClose(ldSlow, -ldFast, atol: 1e-4, "IAF log-dets")
        checkInvertible(iaf, x, context: ctx, "IAF \(order)")
    }

    @Test func planarFlowIsInvertibleThroughTheRootAlongW() {
        var rng = RandomGenerator(seed: 18)
        for trial in 0..<3 {
            let flow = PlanarFlow(features: 3, rng: &rng)
            // Push u towards the constraint: a raw u anti-aligned with w would break invertibility without u_hat.
            flow.u.assign(flow.w.value * Float(-3 - trial))
            flow.b.assign(Tensor([0.3]))
            let uh = flow.constrainedU()
            #expect((uh * flow.w.value).sum().scalar >= -1 - 1e-6, "w.u_hat >= -1")
            let z = randomTensor([4, 3], seed: 19 + UInt64(trial), low: -2, high: 2)
            let (x, ldSample) = withoutGradients { flow.inverse(z) }
            let (back, ldDensity) = flow.forward(x)
            #expect(relativeError(back, z) < 1e-4, "planar root solve, trial \(trial)")
            expectClose(ldDensity, -ldSample, atol: 1e-4, "planar log-dets")
            // Sampling-direction log-det against the Jacobian of f.
            let jac = jacobians(z) { flow.inverse($0).output }
            for e in 0..<4 {
                #expect(Swift.abs(Double(ldSample.scalars[e]) - logAbsDeterminant(jac[e], 3)) < 1e-4)
            }
        }
    }

    @Test func actNormInitialisesFromDataAndInverts() {
        let norm = ActNorm(channels: 3)
        let x = randomTensor([64, 3], seed: 20, low: 1, high: 5)
        let (z, _) = withoutGradients { norm.forward(x) }
        #expect(norm.isInitialized)
        expectClose(z.mean(axis: 0), [0, 0, 0], atol: 1e-4, "ActNorm mean")
        expectClose(sqrt(square(z).mean(axis: 0)), [1, 1, 1], atol: 1e-3, "ActNorm std")
        checkInvertible(norm, randomTensor([2, 3], seed: 21), "ActNorm vectors")
        let image = ActNorm(channels: 2)
        image.initialize(from: randomTensor([4, 2, 3, 3], seed: 22))
        checkInvertible(image, randomTensor([2, 2, 3, 3], seed: 23), "ActNorm images")
    }

    @Test func luInvertibleLinear() {
        var rng = RandomGenerator(seed: 24)
        let mix = InvertibleLinear(features: 5, rng: &rng)
        // Move away from the rotation so the log-det is not 0.
        mix.logScale.assign(randomTensor([5], seed: 25))
        mix.lower.assign(randomTensor([5, 5], seed: 26))
        checkInvertible(mix, randomTensor([3, 5], seed: 27), "LU linear vectors")
        let conv = InvertibleLinear(features: 3, rng: &rng)
        conv.logScale.assign(randomTensor([3], seed: 28))
        checkInvertible(conv, randomTensor([2, 3, 2, 3], seed: 29), "LU 1x1 convolution")
        checkGradients([randomTensor([2, 5], seed: 30)], "LU linear input") { xs in mix.forward(xs[0]).output }
    }

    @Test func composedFlowSumsLogDets() {
        var rng = RandomGenerator(seed: 31)
        let flow = FlowSequence([
            AffineCoupling(mask: CouplingMask.alternating(4, parity: 0), hidden: [8], rng: &rng),
            MaskedAutoregressiveFlow(features: 4, hidden: [8], order: .reversed, rng: &rng),
            ReverseFeatures(),
            InvertibleLinear(features: 4, rng: &rng),
            AffineCoupling(mask: CouplingMask.alternating(4, parity: 1), hidden: [8], rng: &rng),
        ])
        checkInvertible(flow, randomTensor([3, 4], seed: 32), "sequence")
        #expect(flow.namedParameters.first?.name.hasPrefix("0.scale.") == true)
    }
}

@Suite struct PeriodicConvolutionTests {
    /// The explicit (C H W) x (C H W) block-circulant matrix of the filter bank.
    func explicitMatrix(_ w: Tensor, height h: Int, width wd: Int) -> [Double] {
        let c = w.shape[0], k = w.shape[2], d = c * h * wd
        var m = [Double](repeating: 0, count: d * d)
        for o in 0..<c { for ci in 0..<c { for a in 0..<k { for b in 0..<k {
            let tap = Double(w[o, ci, a, b])
            for i in 0..<h { for j in 0..<wd {
                // y(o)(i, j) += tap * x(ci)(i - (a - k/2), j - (b - k/2)), indices mod (H, W).
                let di: Int = i - (a - k / 2), dj: Int = j - (b - k / 2)
                let si: Int = (di % h + h) % h, sj: Int = (dj % wd + wd) % wd
                let row: Int = o * h * wd + i * wd + j
                let col: Int = ci * h * wd + si * wd + sj
                m[row * d + col] += tap
            } }
        } } } }
        return m
    }

    @Test(arguments: [(1, 5, 5, 3), (3, 4, 6, 3), (3, 5, 4, 2), (2, 3, 3, 1)])
    func fftLogDetMatchesTheBlockCirculantMatrix(c: Int, h: Int, w: Int, k: Int) {
        var rng = RandomGenerator(seed: 40 + UInt64(c * 100 + h * 10 + w))
        let flow = PeriodicConvolution(channels: c, kernelSize: k, noise: 0.3, rng: &rng)
        let m = explicitMatrix(flow.weight.value, height: h, width: w)
        let d = c * h * w
        let exact = logAbsDeterminant(m, d)
        let fft = Double(flow.logDeterminant(height: h, width: w))
        #expect(Swift.abs(fft - exact) < 1e-4 * Swift.max(1, Swift.abs(exact)), "C \(c) \(h)x\(w) k \(k): FFT \(fft) vs matrix \(exact)")
        // The forward map is that matrix.
        let x = randomTensor([2, c, h, w], seed: 41)
        let y = withoutGradients { flow.forward(x).output }
        let xs = x.scalars.map(Double.init)
        var expected: [Double] = []
        for e in 0..<2 { for r in 0..<d { expected.append((0..<d).reduce(0.0) { $0 + m[r * d + $1] * xs[e * d + $1] }) } }
        expectClose(y, expected, atol: 1e-5, rtol: 1e-4, "periodic forward vs matrix")
        checkInvertible(flow, x, "periodic C \(c)")
    }

    @Test func gradientsReachInputAndFilters() {
        var rng = RandomGenerator(seed: 50)
        let flow = PeriodicConvolution(channels: 2, kernelSize: 3, noise: 0.2, rng: &rng)
        let x = randomTensor([2, 2, 4, 5], seed: 51)
        checkGradients([x, flow.weight.value.detached()], "periodic conv") { xs in
            let (y, ld) = periodicConvolution(xs[0], weight: xs[1])
            return concatenate([y.reshaped([2, -1]), ld.reshaped([2, 1])], axis: 1)
        }
    }
}
