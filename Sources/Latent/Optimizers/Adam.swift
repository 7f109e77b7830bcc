import Foundation

/// Adam with bias correction (Kingma & Ba), and AdamW (decoupled weight decay,
/// Loshchilov & Hutter) when `decoupledWeightDecay` is true. One fused C
/// kernel per parameter.
///
/// ```swift
/// let opt = Adam(model.parameters, learningRate: 1e-3)
/// let optW = Adam.w(model.parameters, learningRate: 1e-3, weightDecay: 1e-2)
/// ```
public final class Adam: Optimizer {
    /// The parameters this optimizer updates, matched by position to its moment
    /// estimates.
    public let parameters: [Parameter]
    /// The base learning rate (default 1e-3); ``schedule`` scales it at each step.
    public var learningRate: Float
    /// The decay rates of the first- and second-moment averages (defaults 0.9 and
    /// 0.999) and the constant added to the bias-corrected sqrt(v) in the
    /// denominator (default 1e-8), as in PyTorch.
    public var beta1: Float, beta2: Float, epsilon: Float
    /// The weight-decay coefficient wd (default 0): added to the gradient as
    /// wd * p (an L2 term, PyTorch's Adam), or with ``decoupledWeightDecay`` applied
    /// to the parameter as p *= 1 - lr * wd before the Adam update (AdamW).
    public var weightDecay: Float
    /// Whether weight decay shrinks the parameters directly (AdamW) instead of
    /// being added to the gradient.
    public var decoupledWeightDecay: Bool
    /// The schedule whose factor at ``stepCount`` multiplies ``learningRate`` at
    /// each step (default ``LearningRateSchedule/constant``).
    public var schedule: LearningRateSchedule
    /// Steps taken so far: the t of the bias corrections 1 - beta1^t and
    /// 1 - beta2^t, and the step the schedule is evaluated at; restored by
    /// ``loadState(_:parameterNames:stepCount:)``.
    public internal(set) var stepCount = 0
    var m: [Tensor], v: [Tensor]

    /// Creates Adam (AdamW when `decoupledWeightDecay` is true) over
    /// `parameters`, with zero moment estimates and no steps taken.
    public init(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false, schedule: LearningRateSchedule = .constant) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        self.schedule = schedule
        m = parameters.map { Tensor.zeros($0.shape) }
        v = parameters.map { Tensor.zeros($0.shape) }
    }

    /// Creates AdamW: Adam with decoupled weight decay, by default PyTorch's
    /// AdamW decay of 1e-2.
    public static func w(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                         epsilon: Float = 1e-8, weightDecay: Float = 1e-2, schedule: LearningRateSchedule = .constant) -> Adam {
        Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true, schedule: schedule)
    }

    /// The learning rate the next step uses: ``learningRate`` times the schedule's
    /// factor at ``stepCount``.
    public var currentLearningRate: Float { learningRate * schedule.factor(at: stepCount) }

    /// Updates every parameter that requires a gradient and has one by one Adam
    /// step at ``currentLearningRate``, then increments ``stepCount``; frozen
    /// parameters and those without a gradient keep their value and moments.
    public func step() {
        let lr = currentLearningRate
        stepCount += 1
        let t = Float(stepCount)
        let bc1 = 1 - Float(Foundation.pow(Double(beta1), Double(t)))
        let bc2 = 1 - Float(Foundation.pow(Double(beta2), Double(t)))
        for (i, p) in parameters.enumerated() {
            // Frozen parameters keep their value and their moments.
            guard p.requiresGradient, let g = p.grad else { continue }
            p.update { value in
                K.adamStep(&value, g, &m[i], &v[i], lr: lr, beta1: beta1, beta2: beta2, eps: epsilon,
                           weightDecay: weightDecay, bc1: bc1, bc2: bc2, decoupled: decoupledWeightDecay)
            }
        }
    }
}

extension Adam: CheckpointableOptimizer {
    /// The first and second moment estimates of each parameter, keyed
    /// `"adam.m.<name>"` and `"adam.v.<name>"`, with the names matched to
    /// ``parameters`` by position.
    public func stateTensors(parameterNames: [String]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (i, name) in parameterNames.enumerated() where i < m.count {
            out["adam.m." + name] = m[i]
            out["adam.v." + name] = v[i]
        }
        return out
    }

    /// Restores the moment estimates written by
    /// ``stateTensors(parameterNames:)`` and sets ``stepCount``.
    ///
    /// Throws a ``LatentError`` naming the first key that is missing or whose
    /// shape differs from its parameter's (the moments restored before it stay
    /// restored); a `parameterNames` count other than the parameter count stops
    /// the program.
    public func loadState(_ tensors: [String: Tensor], parameterNames: [String], stepCount: Int) throws {
        check(parameterNames.count == parameters.count, "Adam.loadState: \(parameterNames.count) names for \(parameters.count) parameters")
        for (i, name) in parameterNames.enumerated() {
            for (key, into) in [("adam.m." + name, 0), ("adam.v." + name, 1)] {
                guard let t = tensors[key] else { throw LatentError("checkpoint has no optimizer state '\(key)'") }
                guard t.shape == parameters[i].shape else {
                    throw LatentError("optimizer state '\(key)' has shape \(t.shape), parameter has \(parameters[i].shape)")
                }
                if into == 0 { m[i] = t } else { v[i] = t }
            }
        }
        self.stepCount = stepCount
    }
}
