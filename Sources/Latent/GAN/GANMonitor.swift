/// Watches GAN training for the three ways it fails, and says which.
///
/// - **diverged**: a loss or D output is NaN or infinite (checked every step);
/// - **discriminator saturated**: mean D(x) above `1 - margin` and mean D(G(z)) below
///   `margin` for `patience` consecutive steps: D wins outright and (with the minimax
///   loss) the generator's gradient has vanished;
/// - **mode collapse**: the generated batch's spread (mean per-feature standard
///   deviation) below `collapseRatio` times the real batch's for `patience` steps.
///
/// ```swift
/// var monitor = GANMonitor(patience: 300)
/// let stats = trainer.step(real: next, rng: &rng)
/// if let problem = monitor.observe(stats, step: t) { print(problem); break }
/// ```
public struct GANMonitor: Sendable {
    public var patience: Int
    public var margin: Float
    public var collapseRatio: Float
    public private(set) var saturatedRun = 0
    public private(set) var collapsedRun = 0

    public enum Problem: Error, CustomStringConvertible, Equatable {
        case diverged(step: Int, what: String)
        case discriminatorSaturated(step: Int, steps: Int)
        case modeCollapse(step: Int, steps: Int, ratio: Float)

        public var description: String {
            switch self {
            case .diverged(let s, let what):
                "training diverged at step \(s): \(what); the last good checkpoint was kept (try a lower --lr)"
            case .discriminatorSaturated(let s, let n):
                "discriminator saturated at step \(s): D(x) > 0.99 on real and D(G(z)) < 0.01 on generated data for \(n) steps; the generator gets no useful gradient (try --loss non-saturating or a lower discriminator learning rate)"
            case .modeCollapse(let s, let n, let r):
                "mode collapse at step \(s): generated samples have \(String(format: "%.3f", r))x the spread of real data for \(n) steps"
            }
        }
    }

    public init(patience: Int = 500, margin: Float = 0.01, collapseRatio: Float = 0.05) {
        self.patience = patience
        self.margin = margin
        self.collapseRatio = collapseRatio
    }

    /// Records one step; returns the problem once one is established.
    public mutating func observe(_ s: GANTrainer.StepStats, step: Int) -> Problem? {
        for (name, v) in [("discriminator loss", s.discriminatorLoss), ("generator loss", s.generatorLoss),
                          ("D(x)", s.dReal), ("D(G(z))", s.dFake), ("generated spread", s.fakeSpread)] where !v.isFinite {
            return .diverged(step: step, what: "\(name) is \(v)")
        }
        saturatedRun = (s.dReal > 1 - margin && s.dFake < margin) ? saturatedRun + 1 : 0
        let ratio = s.realSpread > 0 ? s.fakeSpread / s.realSpread : 1
        collapsedRun = ratio < collapseRatio ? collapsedRun + 1 : 0
        if saturatedRun >= patience { return .discriminatorSaturated(step: step, steps: saturatedRun) }
        if collapsedRun >= patience { return .modeCollapse(step: step, steps: collapsedRun, ratio: ratio) }
        return nil
    }
}
