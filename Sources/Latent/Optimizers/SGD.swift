/// Stochastic gradient descent with momentum, PyTorch's convention: with
/// g' = g + wd * p, v = mu * v + g' (v = g' at the first step) and
/// p -= lr * v (Nesterov: p -= lr * (g' + mu * v)); without momentum,
/// p -= lr * g'.
///
/// ```swift
/// let opt = SGD(model.parameters, learningRate: 0.1, momentum: 0.9)
/// ```
public final class SGD: Optimizer {
    /// The parameters this optimizer updates, matched by position to their
    /// velocities.
    public let parameters: [Parameter]
    /// The step size lr (no schedule).
    public var learningRate: Float
    /// The momentum factor mu (default 0: plain SGD, no velocity kept).
    public var momentum: Float
    /// The L2 coefficient wd added to the gradient as wd * p (default 0).
    public var weightDecay: Float
    /// Whether to use Nesterov momentum: step along g' + mu * v instead of v.
    public var nesterov: Bool
    /// Steps taken so far (calls of ``step()``).
    public private(set) var stepCount = 0
    private var velocity: [Tensor?]

    /// Creates SGD over `parameters` with no velocities yet: a parameter's first
    /// step sets its velocity to g' itself.
    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        velocity = Array(repeating: nil, count: parameters.count)
    }

    /// Updates every parameter that requires a gradient and has one by the rule
    /// above, outside the tape, then increments ``stepCount``; frozen parameters
    /// and those without a gradient keep their value and velocity.
    public func step() {
        withoutGradients {
            for (i, p) in parameters.enumerated() {
                guard p.requiresGradient, var g = p.grad else { continue }
                if weightDecay != 0 { g = g + p.value.detached() * weightDecay }
                var d = g
                if momentum != 0 {
                    let v = velocity[i].map { $0 * momentum + g } ?? g
                    velocity[i] = v
                    d = nesterov ? g + v * momentum : v
                }
                let lr = learningRate
                p.update { $0 = K.axpby($0, 1, d, -lr) }
            }
        }
        stepCount += 1
    }
}
