/// Stochastic gradient descent with momentum, PyTorch's convention:
/// v = mu * v + (g + wd * p); p -= lr * v (Nesterov: p -= lr * (g + mu * v)).
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    public var nesterov: Bool
    public private(set) var stepCount = 0
    private var velocity: [Tensor?]

    public init(_ parameters: [Parameter], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        velocity = Array(repeating: nil, count: parameters.count)
    }

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
