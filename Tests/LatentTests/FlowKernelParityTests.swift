import Foundation
import CLatent
import Testing
@testable import Latent

/// The AVX2 affine coupling kernels against their reference twins on awkward
/// row widths, unaligned pointers, both directions, and with one of the two
/// incoming gradients absent. tanh and exp are the vector polynomials (a few
/// ulp), so rtol 1e-5.
@Suite struct FlowKernelParityTests {
    let ref = lt_kernels_for(LT_ISA_REF)!.pointee
    let simd = lt_kernels_for(LT_ISA_AVX2)?.pointee
    typealias Unaligned = KernelParityTests.Unaligned

    func values(_ n: Int, seed: UInt64, scale: Float = 2) -> [Float] {
        var rng = RandomGenerator(seed: seed, stream: 6)
        return (rng.normal([n]) * scale).scalars
    }

    func expectAgree(_ a: [Float], _ b: [Float], _ what: String) {
        #expect(a.count == b.count)
        for i in 0..<Swift.min(a.count, b.count) where Swift.abs(a[i] - b[i]) > 1e-5 + 1e-5 * Swift.abs(b[i]) || a[i].isNaN != b[i].isNaN {
            Issue.record("\(what)[\(i)]: avx2 \(a[i]) vs ref \(b[i])")
            return
        }
    }

    @Test func couplingForwardAndBackward() {
        guard let simd else { return }
        for d in KernelParityTests.sizes {
            let n = 3
            let mask = Unaligned((0..<d).map { Float(($0 * 7 + 3) % 3 == 0 ? 1 : 0) })
            let x = Unaligned(values(n * d, seed: UInt64(d))), r = Unaligned(values(n * d, seed: UInt64(d) + 1, scale: 3))
            let t = Unaligned(values(n * d, seed: UInt64(d) + 2)), g = Unaligned(values(n * d, seed: UInt64(d) + 3))
            let gl = Unaligned(values(n, seed: UInt64(d) + 4))
            for inverse in [Int32(0), 1] {
                let y1 = Unaligned(count: n * d), y2 = Unaligned(count: n * d), l1 = Unaligned(count: n), l2 = Unaligned(count: n)
                ref.coupling_forward(y1.p, l1.p, x.p, r.p, t.p, mask.p, Int64(n), Int64(d), inverse)
                simd.coupling_forward(y2.p, l2.p, x.p, r.p, t.p, mask.p, Int64(n), Int64(d), inverse)
                expectAgree(y2.array, y1.array, "coupling out d \(d) inverse \(inverse)")
                expectAgree(l2.array, l1.array, "coupling logdet d \(d) inverse \(inverse)")
                for (dout, dld) in [(g.p, gl.p), (g.p, nil), (nil, gl.p)] as [(UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?)] {
                    let a = (Unaligned(count: n * d), Unaligned(count: n * d), Unaligned(count: n * d))
                    let b = (Unaligned(count: n * d), Unaligned(count: n * d), Unaligned(count: n * d))
                    ref.coupling_backward(a.0.p, a.1.p, a.2.p, dout, dld, x.p, y1.p, r.p, mask.p, Int64(n), Int64(d), inverse)
                    simd.coupling_backward(b.0.p, b.1.p, b.2.p, dout, dld, x.p, y1.p, r.p, mask.p, Int64(n), Int64(d), inverse)
                    let what = "coupling backward d \(d) inverse \(inverse) dout \(dout != nil) dlogdet \(dld != nil)"
                    expectAgree(b.0.array, a.0.array, what + " din")
                    expectAgree(b.1.array, a.1.array, what + " dr")
                    expectAgree(b.2.array, a.2.array, what + " dt")
                }
            }
        }
    }

    /// The reference kernel against the formula written out in Swift, in double.
    @Test func referenceCouplingMatchesTheFormula() {
        let d = 5, n = 2
        let mask: [Float] = [1, 0, 0, 1, 0]
        let x = values(n * d, seed: 1), r = values(n * d, seed: 2), t = values(n * d, seed: 3)
        let y = Unaligned(count: n * d), l = Unaligned(count: n)
        let xu = Unaligned(x), ru = Unaligned(r), tu = Unaligned(t), mu = Unaligned(mask)
        lt_kernels().pointee.coupling_forward(y.p, l.p, xu.p, ru.p, tu.p, mu.p, Int64(n), Int64(d), 0)
        for e in 0..<n {
            var ld = 0.0
            for j in 0..<d {
                let i = e * d + j
                let s = Foundation.tanh(Double(r[i])) * Double(1 - mask[j])
                let expected = mask[j] == 1 ? Double(x[i]) : Double(x[i]) * Foundation.exp(s) + Double(t[i])
                #expect(Swift.abs(Double(y.array[i]) - expected) < 1e-5 * Swift.max(1, Swift.abs(expected)))
                ld += s
            }
            #expect(Swift.abs(Double(l.array[e]) - ld) < 1e-5)
        }
    }
}
