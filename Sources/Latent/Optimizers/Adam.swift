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
    public let parameters: [Parameter]
    public var learningRate: Float
    public var beta1: Float, beta2: Float, epsilon: Float
    public var weightDecay: Float
    public var decoupledWeightDecay: Bool
    /// Multiplies `learningRate` at each step.
    public var schedule: LearningRateSchedule
    public internal(set) var stepCount = 0
    var m: [Tensor], v: [Tensor]

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

    /// AdamW: decoupled weight decay (PyTorch's default decay is 1e-2).
    public static func w(_ parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                         epsilon: Float = 1e-8, weightDecay: Float = 1e-2, schedule: LearningRateSchedule = .constant) -> Adam {
        Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
             weightDecay: weightDecay, decoupledWeightDecay: true, schedule: schedule)
    }

    /// The learning rate the next step uses.
    public var currentLearningRate: Float { learningRate * schedule.factor(at: stepCount) }

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
    public func stateTensors(parameterNames: [String]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (i, name) in parameterNames.enumerated() where i < m.count {
            out["adam.m." + name] = m[i]
            out["adam.v." + name] = v[i]
        }
        return out
    }

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
