import Foundation

/// `latent-bench --calls N`: every measurement makes exactly N timed calls.
var fixedCalls: Int? = nil

/// Wall-clock timing: warm up, then repeat until `seconds` have passed and
/// report the median seconds per call of several rounds.
func measure(seconds: Double = 0.5, warmup: Int = 3, _ body: () -> Void) -> Double {
    for _ in 0..<warmup { body() }
    func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    if let calls = fixedCalls {
        // A fixed amount of work (profiles, instruction counts): no calibration.
        let t0 = now()
        for _ in 0..<calls { body() }
        return (now() - t0) / Double(max(calls, 1))
    }
    // Calibrate calls per round so a round takes about 1/10 of the budget.
    var calls = 1
    while true {
        let t0 = now()
        for _ in 0..<calls { body() }
        let dt = now() - t0
        if dt > seconds / 10 || calls > 1 << 20 { break }
        calls *= 2
    }
    var rounds: [Double] = []
    let end = now() + seconds
    repeat {
        let t0 = now()
        for _ in 0..<calls { body() }
        rounds.append((now() - t0) / Double(calls))
    } while now() < end || rounds.count < 3
    rounds.sort()
    return rounds[rounds.count / 2]
}

/// Stops the process with a message when a benchmark's result disagrees with
/// its reference: a fast wrong kernel must never be reported as fast.
func verify(_ ok: Bool, _ what: String) {
    if !ok {
        FileHandle.standardError.write("latent-bench: result check failed: \(what)\n".data(using: .utf8)!)
        exit(2)
    }
}

func maxRelativeError(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
    var worst = 0.0
    for i in 0..<n {
        let d = abs(Double(a[i]) - Double(b[i])) / max(1, abs(Double(b[i])))
        if d > worst || d.isNaN { worst = d.isNaN ? .infinity : d }
    }
    return worst
}

/// A float buffer filled with deterministic values in [-1, 1].
final class Buffer {
    let p: UnsafeMutablePointer<Float>
    let count: Int
    init(_ n: Int, seed: UInt32 = 1) {
        count = n
        p = .allocate(capacity: max(n, 1))
        var s = seed &* 2654435761
        for i in 0..<n {
            s = s &* 1664525 &+ 1013904223
            p[i] = Float(Int32(bitPattern: s >> 1 | 0)) / Float(Int32.max)
        }
    }
    deinit { p.deallocate() }
}
