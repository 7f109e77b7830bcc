import Foundation

/// A progress line for long work: step/total, metrics, steps/s and time left.
///
/// In a terminal it redraws one line in place; when output is a file or a CI
/// log it prints a plain line every `plainInterval` seconds and at the end.
///
/// ```swift
/// let bar = ProgressBar(label: "train", total: 1000)
/// for step in 1...1000 { ...; bar.update(step, metrics: [("loss", loss)]) }
/// bar.finish()
/// ```
public final class ProgressBar {
    /// The text at the start of the line, such as `train vae`.
    public let label: String
    /// The step count at which the work is done (at least 1).
    public let total: Int
    let output: (String) -> Void
    let isTerminal: Bool
    let clock: () -> Double
    let plainInterval: Double
    let start: Double
    var lastDraw = -Double.infinity
    var lastStep = 0
    /// Step before the first update (non-zero when a run resumes), so rates count only this session's steps.
    var baseStep: Int? = nil
    var drawnStep = -1
    var lastMetrics: [(String, Double)] = []
    var finished = false

    /// A bar for `total` steps whose clock starts now; nothing is drawn before the first update.
    ///
    /// - Parameters:
    ///   - label: the text at the start of the line.
    ///   - total: the step count at which the work is done (values below 1 count as 1).
    ///   - output: where text goes (default: standard error, unbuffered).
    ///   - isTerminal: redraw in place; default asks whether stderr is a TTY.
    ///   - clock: seconds, monotonic (injectable for tests).
    ///   - plainInterval: seconds between plain lines when not redrawing in place.
    public init(label: String, total: Int, output: ((String) -> Void)? = nil, isTerminal: Bool? = nil,
                clock: (() -> Double)? = nil, plainInterval: Double = 10) {
        self.label = label
        self.total = max(total, 1)
        self.output = output ?? { FileHandle.standardError.write($0.data(using: .utf8)!) }
        self.isTerminal = isTerminal ?? (isatty(2) != 0)
        self.clock = clock ?? { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        self.plainInterval = plainInterval
        self.start = self.clock()
    }

    /// Seconds since the bar was created.
    public var elapsed: Double { clock() - start }

    /// Steps per second so far, counting only the steps of this bar: a resumed run's earlier
    /// steps are left out.
    public var rate: Double { Double(lastStep - (baseStep ?? 0)) / max(elapsed, 1e-9) }

    /// Records that `step` of the ``ProgressBar/total`` steps are done, with the metrics to show,
    /// and redraws at most every 0.1 s in a terminal, every `plainInterval` seconds otherwise,
    /// and always once `step` reaches the total.
    public func update(_ step: Int, metrics: [(String, Double)] = []) {
        if baseStep == nil { baseStep = step - 1 }
        lastStep = step
        lastMetrics = metrics
        let now = clock()
        let interval = isTerminal ? 0.1 : plainInterval
        if now - lastDraw >= interval || step >= total {
            lastDraw = now
            draw(final: false)
        }
    }

    /// Draws the final state and ends the line; `metrics`, when given, replace the last ones.
    /// Later calls do nothing.
    public func finish(metrics: [(String, Double)]? = nil) {
        guard !finished else { return }
        finished = true
        if let metrics { lastMetrics = metrics }
        if drawnStep == lastStep && metrics == nil {
            // The last update already drew this state: only end the line in a terminal.
            if isTerminal { output("\n") }
            return
        }
        draw(final: true)
    }

    static func formatTime(_ s: Double) -> String {
        guard s.isFinite, s >= 0 else { return "--:--" }
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }

    /// The text of the line, without terminal control characters: label, a 24-character bar,
    /// step/total, the metrics, steps/s, elapsed time and time left.
    public func line() -> String {
        let frac = min(1, Double(lastStep) / Double(total))
        let r = rate
        let left = r > 0 ? Double(total - lastStep) / r : (lastStep >= total ? 0 : .infinity)
        let metrics = lastMetrics.map { "\($0.0) \(String(format: "%.4g", $0.1))" }.joined(separator: "  ")
        let width = 24
        let filled = Int(frac * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "\(label) [\(bar)] \(lastStep)/\(total)" + (metrics.isEmpty ? "" : "  \(metrics)")
            + String(format: "  %.1f steps/s", r) + "  elapsed \(ProgressBar.formatTime(elapsed))  left \(ProgressBar.formatTime(left))"
    }

    func draw(final: Bool) {
        drawnStep = lastStep
        if isTerminal {
            output("\r\u{1B}[K" + line() + (final ? "\n" : ""))
        } else {
            output(line() + "\n")
        }
    }
}
