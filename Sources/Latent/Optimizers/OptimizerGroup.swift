/// Several optimizers over consecutive runs of one parameter list, stepped and
/// checkpointed as one (PyTorch's parameter groups, each with its own
/// optimizer): the generator's and the discriminator's Adam of a GAN, a VAE's
/// and its FactorVAE discriminator's.
///
/// Its parameters are the members' in order; `parameterNames` given to the
/// checkpoint methods are split the same way (a name list may continue with
/// buffers after the parameters: each member takes only its own slice), and
/// each member writes its own `adam.m.<name>` entries. Setting
/// ``learningRate`` sets every member's; reading it gives the first member's.
///
/// ```swift
/// let both = OptimizerGroup([generatorAdam, discriminatorAdam])
/// try Checkpoint.save(to: path, module: gan, optimizer: both, step: step)
/// ```
public final class OptimizerGroup: CheckpointableOptimizer {
    /// The optimizers, in parameter order.
    public let members: [any CheckpointableOptimizer]

    /// A group of `members`; stops when there are none.
    public init(_ members: [any CheckpointableOptimizer]) {
        check(!members.isEmpty, "OptimizerGroup: needs at least one optimizer")
        self.members = members
    }

    /// Every member's parameters, in order.
    public var parameters: [Parameter] { members.flatMap(\.parameters) }
    /// The first member's learning rate; setting it sets every member's.
    public var learningRate: Float {
        get { members[0].learningRate }
        set { for m in members { m.learningRate = newValue } }
    }
    /// The first member's step count (members step together).
    public var stepCount: Int { members[0].stepCount }
    /// One step of every member.
    public func step() { for m in members { m.step() } }

    /// `names` cut into each member's slice (by parameter count); names past the last
    /// member's parameters are ignored.
    private func slices(_ names: [String]) -> [[String]] {
        var out: [[String]] = [], start = 0
        for m in members {
            let end = Swift.min(start + m.parameters.count, names.count)
            out.append(start < end ? Array(names[start..<end]) : [])
            start = end
        }
        return out
    }

    /// Every member's state tensors under its slice of `parameterNames`.
    public func stateTensors(parameterNames: [String]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (m, names) in zip(members, slices(parameterNames)) {
            out.merge(m.stateTensors(parameterNames: names)) { a, _ in a }
        }
        return out
    }

    /// Restores every member from its slice of `parameterNames`; throws what a member throws.
    public func loadState(_ tensors: [String: Tensor], parameterNames: [String], stepCount: Int) throws {
        for (m, names) in zip(members, slices(parameterNames)) {
            try m.loadState(tensors, parameterNames: names, stepCount: stepCount)
        }
    }
}
