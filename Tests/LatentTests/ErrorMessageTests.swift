import Testing
import Foundation
@testable import Latent

/// Exit tests: each body runs in a child process that must stop, and what it
/// wrote to stderr is checked. `make test` runs these in a release build, where
/// `precondition` would have dropped the message; `check` keeps it.
@Suite struct ErrorMessageTests {
    private static func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func aMatmulShapeErrorNamesBothOperands() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = matmul(Tensor.zeros([3, 4]), Tensor.zeros([5, 2]))
        }
        let text = Self.stderr(result)
        #expect(text.contains("matmul"), "stderr: \(text)")
        #expect(text.contains("[3, 4]") && text.contains("[5, 2]"), "stderr: \(text)")
    }

    @Test func aBroadcastErrorNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let text = Self.stderr(result)
        #expect(text.contains("[2, 3]") && text.contains("[4]") && text.contains("broadcast"), "stderr: \(text)")
    }

    @Test func gradientsOfAnUntrackedLossStopNamingTheCause() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Parameter(Tensor(shape: [2], scalars: [1, 2]))
            let loss = withoutGradients { (w.value * w.value).sum() }
            backward(loss, to: [w])
        }
        let text = Self.stderr(result)
        #expect(text.contains("not tracked") && text.contains("withoutGradients"), "stderr: \(text)")
    }

    @Test func aRangeSubscriptOutOfBoundsNamesTheRangeAndShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([4, 5])[0..<2, 3..<9]
        }
        let text = Self.stderr(result)
        #expect(text.contains("[4, 5]"), "stderr: \(text)")
    }
}
