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
    /// The parameters this optimizer updates, fixed at creation.
    var parameters: [Parameter] { get }
    /// The base learning rate; an optimizer with a schedule (``Adam``) scales
    /// it at each step.
    var learningRate: Float { get set }
    /// Steps taken so far (calls of ``step()``, or the count a checkpoint restored).
    var stepCount: Int { get }
    /// Updates every parameter that has a gradient and requires one, by one step
    /// of the optimizer's rule; the others keep their value.
    func step()
}

/// Optimizer state saved in checkpoints, keyed by the parameters' names.
public protocol CheckpointableOptimizer: Optimizer {
    /// The optimizer's per-parameter state tensors, keyed by the names in
    /// `parameterNames` (matched to ``Optimizer/parameters`` by position), e.g.
    /// `"adam.m.<parameter name>"`.
    func stateTensors(parameterNames: [String]) -> [String: Tensor]
    /// Restores state written by ``stateTensors(parameterNames:)`` together with
    /// the step count; throws a ``LatentError`` naming what is missing or
    /// mis-shaped.
    func loadState(_ tensors: [String: Tensor], parameterNames: [String], stepCount: Int) throws
}

/// Learning-rate schedules: a multiplier of an optimizer's base learning rate
/// that depends on the step.
///
/// ```swift
/// let opt = Adam(model.parameters, learningRate: 1e-3,
///                schedule: .cosine(totalSteps: 10_000, warmupSteps: 500, minimumFactor: 0.05))
/// ```
public enum LearningRateSchedule: Sendable, Equatable {
    /// Factor 1 at every step: the base learning rate throughout.
    case constant
    /// A linear ramp (step + 1) / warmupSteps that reaches 1 at step
    /// warmupSteps - 1, then 1; no ramp when `warmupSteps` is 0 or less.
    case linearWarmup(warmupSteps: Int)
    /// Optional linear warm-up as in ``linearWarmup(warmupSteps:)``, then cosine
    /// decay from 1 to `minimumFactor` at `totalSteps`, which it keeps afterwards.
    case cosine(totalSteps: Int, warmupSteps: Int = 0, minimumFactor: Float = 0)

    /// The multiplier of the base learning rate at `step` (0-based: the number of
    /// steps already taken).
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
///
/// The norm is taken over the gradients of the parameters that require one
/// (nil gradients are skipped); when it exceeds `maxNorm`, every such gradient
/// is multiplied by maxNorm / (norm + 1e-6).
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
