import CLatent
import Foundation

/// Turns SIGINT (Ctrl-C) and SIGTERM into a flag that a training loop checks
/// once per step, so the loop can write a checkpoint and stop cleanly instead
/// of dying mid-step. A second signal of the same kind exits at once
/// (status 128 + signal) for a user who does not want to wait.
///
/// The handler (CSources/CLatent/signals.c) only sets a `sig_atomic_t`, so it
/// works whichever thread receives the signal. The flag is process-wide: keep
/// one `Interruption` alive per training loop; ``uninstall()`` (or deinit)
/// restores the default handlers. VAE and GAN loops use it the same way.
///
/// ```swift
/// let interruption = Interruption()
/// defer { interruption.uninstall() }
/// for step in start...total {
///     if let sig = interruption.signal {
///         try run.saveCheckpoint(...)            // the last completed step
///         throw Interruption.Stopped(signal: sig, step: step - 1)
///     }
///     // one training step
/// }
/// ```
public final class Interruption: @unchecked Sendable {
    /// What a loop throws after saving on a signal; `exitCode` is 128 + signal
    /// (130 for SIGINT, 143 for SIGTERM), the shell convention.
    public struct Stopped: Error, CustomStringConvertible {
        /// The signal that stopped the loop (`SIGINT`, `SIGTERM`, or the one requested).
        public let signal: Int32
        /// The last completed step (the one the checkpoint holds).
        public let step: Int
        /// A stop on `signal` after `step`, the last completed step.
        public init(signal: Int32, step: Int) { self.signal = signal; self.step = step }
        /// 128 + `signal`, the status a shell reports for a process the signal ended.
        public var exitCode: Int32 { 128 + signal }
        /// The message for the user, e.g. `interrupted by SIGINT after step 41`.
        public var description: String { "interrupted by \(Interruption.name(signal)) after step \(step)" }
    }

    private let lock = NSLock()
    private var requested: Int32?
    private var signals: [Int32]

    /// Catches `signals` (default SIGINT and SIGTERM); pass [] for a flag that
    /// only ``request(_:)`` sets.
    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        lt_signal_clear()
        for sig in signals { _ = lt_signal_catch(sig) }
    }

    deinit { uninstall() }

    /// Restores the default signal handlers; safe to call twice.
    public func uninstall() {
        lock.lock()
        let s = signals
        signals = []
        lock.unlock()
        for sig in s { lt_signal_default(sig) }
    }

    /// The signal to stop for, or nil: the one passed to ``request(_:)`` if any, else the first
    /// caught signal since `init` (none once ``uninstall()`` has run).
    public var signal: Int32? {
        lock.lock(); defer { lock.unlock() }
        if let requested { return requested }
        let s = lt_signal_received()
        return !signals.isEmpty && s != 0 ? s : nil
    }

    /// Whether the loop should stop: `signal` is not nil (a signal arrived or ``request(_:)``
    /// was called).
    public var isRequested: Bool { signal != nil }

    /// Requests a stop as if `sig` had arrived (tests, or a loop's own limits).
    public func request(_ sig: Int32 = SIGINT) {
        lock.lock(); defer { lock.unlock() }
        if requested == nil { requested = sig }
    }

    static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(sig)"
        }
    }
}
