import Foundation

/// Updates parameters from their `grad`.
///
/// ```swift
/// let opt = Adam(model.parameters, learningRate: 1e-3)
/// for step in 0..<1000 {
///     let loss = ...
///     backward(loss, to: model.parameters)
///     opt.step()
/// }
/// ```
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    /// The base learning rate; a schedule scales it.
    var learningRate: Float { get set }
    /// Steps taken so far.
    var stepCount: Int { get }
    /// One update of every parameter that has a gradient and requires one.
    func step()
}

/// Optimizer state saved in checkpoints, keyed by the parameters' names.
public protocol CheckpointableOptimizer: Optimizer {
    /// State tensors, e.g. "adam.m.<parameter name>".
    func stateTensors(parameterNames: [String]) -> [String: Tensor]
    /// Restores state written by `stateTensors`; throws naming what is missing or mis-shaped.
    func loadState(_ tensors: [String: Tensor], parameterNames: [String], stepCount: Int) throws
}

/// Learning-rate schedules as a multiplier of the base rate at a step.
public enum LearningRateSchedule: Sendable, Equatable {
    case constant
    /// Linear ramp from 0 to 1 over `warmupSteps`, then constant.
    case linearWarmup(warmupSteps: Int)
    /// Optional linear warm-up, then cosine decay to `minimumFactor` at `totalSteps`.
    case cosine(totalSteps: Int, warmupSteps: Int = 0, minimumFactor: Float = 0)

    /// The multiplier at `step` (0-based).
    public func factor(at step: Int) -> Float {
        switch self {
        case .constant:
            return 1
        case .linearWarmup(let w):
            return w <= 0 ? 1 : Swift.min(1, Float(step + 1) / Float(w))
        case .cosine(let total, let w, let minF):
            if step < w { return Float(step + 1) / Float(w) }
            let span = Swift.max(total - w, 1)
            let t = Swift.min(Float(step - w) / Float(span), 1)
            return minF + (1 - minF) * 0.5 * (1 + Float(Foundation.cos(Double.pi * Double(t))))
        }
    }
}

/// Scales all gradients so that their global L2 norm is at most `maxNorm`.
/// Returns the norm before clipping (PyTorch's clip_grad_norm_).
@discardableResult
public func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    var total: Double = 0
    for p in parameters where p.requiresGradient {
        guard let g = p.grad else { continue }
        g.withUnsafeBufferPointer { for v in $0 { total += Double(v) * Double(v) } }
    }
    let norm = Float(total.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for p in parameters where p.requiresGradient { if let g = p.grad { p.grad = g * scale } }
    }
    return norm
}
