/// Watches GAN training for the three ways it fails, and says which.
///
/// - **diverged**: a loss, a mean D output or the generated spread is NaN or
///   infinite (checked every step);
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
    /// How many consecutive steps a saturated discriminator or a collapsed
    /// generator must persist before ``observe(_:step:)`` reports it (default 500).
    public var patience: Int
    /// The saturation threshold (default 0.01): a step counts as saturated when
    /// mean D(x) > 1 - margin and mean D(G(z)) < margin.
    public var margin: Float
    /// Whether to watch for a saturated discriminator (off for a Wasserstein critic,
    /// whose outputs are not probabilities).
    public var checksSaturation = true
    /// The collapse threshold (default 0.05): a step counts as collapsed when the
    /// generated spread is below `collapseRatio` times the real spread.
    public var collapseRatio: Float
    /// The number of consecutive saturated steps up to the last one observed
    /// (0 after a step that is not saturated).
    public private(set) var saturatedRun = 0
    /// The number of consecutive collapsed steps up to the last one observed
    /// (0 after a step that is not collapsed).
    public private(set) var collapsedRun = 0

    /// A failure ``GANMonitor/observe(_:step:)`` found; an `Error`, so a training
    /// loop can throw it.
    public enum Problem: Error, CustomStringConvertible, Equatable {
        /// A loss, a mean D output or the generated spread was NaN or infinite at
        /// `step`; `what` names the value and what it was (`"generator loss is nan"`).
        case diverged(step: Int, what: String)
        /// The discriminator was saturated for `steps` consecutive steps up to `step`.
        case discriminatorSaturated(step: Int, steps: Int)
        /// The generated spread was below `collapseRatio` times the real one for
        /// `steps` consecutive steps up to `step`; `ratio` is generated / real spread
        /// at `step`.
        case modeCollapse(step: Int, steps: Int, ratio: Float)

        /// A one-line message naming the problem, the step and a remedy in the
        /// `latent` command line's terms (`--lr`, `--loss`); the saturation message
        /// quotes the default margin (0.99 and 0.01).
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

    /// Creates a monitor with the given thresholds (see ``patience``, ``margin``
    /// and ``collapseRatio``) and no steps observed.
    public init(patience: Int = 500, margin: Float = 0.01, collapseRatio: Float = 0.05) {
        self.patience = patience
        self.margin = margin
        self.collapseRatio = collapseRatio
    }

    /// Records one step's statistics and returns the problem once one is
    /// established, else nil.
    ///
    /// Divergence is reported at once; saturation (checked first) and collapse
    /// once their run reaches ``patience``, and again at every following step while
    /// it lasts. When the real spread is 0 the spread ratio is taken as 1.
    public mutating func observe(_ s: GANTrainer.StepStats, step: Int) -> Problem? {
        for (name, v) in [("discriminator loss", s.discriminatorLoss), ("generator loss", s.generatorLoss), ("penalty", s.penalty),
                          ("D(x)", s.dReal), ("D(G(z))", s.dFake), ("generated spread", s.fakeSpread)] where !v.isFinite {
            return .diverged(step: step, what: "\(name) is \(v)")
        }
        // A Wasserstein critic's outputs are not probabilities: saturation does not apply.
        saturatedRun = checksSaturation && (s.dReal > 1 - margin && s.dFake < margin) ? saturatedRun + 1 : 0
        let ratio = s.realSpread > 0 ? s.fakeSpread / s.realSpread : 1
        collapsedRun = ratio < collapseRatio ? collapsedRun + 1 : 0
        if saturatedRun >= patience { return .discriminatorSaturated(step: step, steps: saturatedRun) }
        if collapsedRun >= patience { return .modeCollapse(step: step, steps: collapsedRun, ratio: ratio) }
        return nil
    }
}
