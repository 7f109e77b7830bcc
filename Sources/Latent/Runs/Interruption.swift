import Dispatch
import Foundation

/// Turns SIGINT (Ctrl-C) and SIGTERM into a flag that a training loop checks
/// once per step, so the loop can write a checkpoint and stop cleanly instead
/// of dying mid-step. A second signal of the same kind exits at once
/// (status 128 + signal) for a user who does not want to wait.
///
/// While an `Interruption` is alive the signals are ignored by the process and
/// delivered to a dispatch source; ``uninstall()`` (or deinit) restores the
/// default handlers. One instance per training loop; VAE and GAN loops use it
/// the same way.
///
/// ```swift
/// let interruption = Interruption()
/// defer { interruption.uninstall() }
/// for step in start...total {
///     if let sig = interruption.signal {
///         try run.saveCheckpoint(...)            // last completed step
///         throw Interruption.Stopped(signal: sig, step: step - 1)
///     }
///     // one training step
/// }
/// ```
public final class Interruption: @unchecked Sendable {
    /// What a loop throws after saving on a signal; `exitCode` is 128 + signal
    /// (130 for SIGINT, 143 for SIGTERM), the shell convention.
    public struct Stopped: Error, CustomStringConvertible {
        public let signal: Int32
        /// The last completed step (the one the checkpoint holds).
        public let step: Int
        public init(signal: Int32, step: Int) { self.signal = signal; self.step = step }
        public var exitCode: Int32 { 128 + signal }
        public var description: String { "interrupted by \(Interruption.name(signal)) after step \(step)" }
    }

    private let lock = NSLock()
    private var received: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]
    private let queue = DispatchQueue(label: "latent.interruption")

    /// Installs handlers for `signals` (default SIGINT and SIGTERM).
    public init(signals: [Int32] = [SIGINT, SIGTERM]) {
        self.signals = signals
        for sig in signals {
            // The dispatch source only sees the signal once the default action is off.
            Foundation.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { [weak self] in self?.receive(sig) }
            source.resume()
            sources.append(source)
        }
    }

    deinit { uninstall() }

    /// Restores the default signal handlers; safe to call twice.
    public func uninstall() {
        lock.lock()
        let s = sources
        sources = []
        lock.unlock()
        guard !s.isEmpty else { return }
        for source in s { source.cancel() }
        for sig in signals { Foundation.signal(sig, SIG_DFL) }
    }

    /// The first signal received, or nil.
    public var signal: Int32? {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { signal != nil }

    /// Requests a stop as if `sig` had arrived (tests, or a loop's own limits).
    public func request(_ sig: Int32 = SIGINT) { receive(sig, fromSignal: false) }

    private func receive(_ sig: Int32, fromSignal: Bool = true) {
        lock.lock()
        let again = received == sig
        if received == nil { received = sig }
        lock.unlock()
        if again && fromSignal {
            FileHandle.standardError.write("\n\(Interruption.name(sig)) again: stopping without a checkpoint\n".data(using: .utf8)!)
            exit(128 + sig)
        }
        if !again && fromSignal {
            FileHandle.standardError.write("\n\(Interruption.name(sig)): finishing this step and saving a checkpoint (send it again to stop at once)\n".data(using: .utf8)!)
        }
    }

    static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(sig)"
        }
    }
}
