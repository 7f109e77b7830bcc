import Foundation
import Testing
@testable import Latent

// Module registration (reflection defaults and the forgotten-member check),
// state dictionaries, and the gradient semantics a PyTorch user expects.

/// Lists its parameters by hand and forgets the BatchNorm child and one weight.
private final class Forgetful: Layer {
    let inner = Linear(4, 4, rng: &sharedTestRNG)
    let norm = BatchNorm(4)
    let extra = Parameter(Tensor.zeros([3]))
    var isTraining = true
    var namedParameters: [(name: String, parameter: Parameter)] { prefixed("inner", inner.namedParameters) }
    var children: [Module] { [inner] }
    func callAsFunction(_ x: Tensor) -> Tensor { norm(inner(x)) }
}

/// Lists nothing: reflection registers everything.
private final class Plain: Layer {
    let body = Sequential([Linear(4, 8, activation: .relu, rng: &sharedTestRNG), BatchNorm(8), Linear(8, 2, rng: &sharedTestRNG)])
    let scale = Parameter(Tensor.ones([2]))
    let norms: [ActNorm] = [ActNorm(channels: 2)]
    let absent: Linear? = nil
    let table: [Float] = Array(repeating: 0, count: 100_000)
    var isTraining = true
    func callAsFunction(_ x: Tensor) -> Tensor { norms[0].forward(body(x)).output * scale.value }
}

nonisolated(unsafe) private var sharedTestRNG = RandomGenerator(seed: 5)

@Suite struct ModuleRegistrationTests {
    @Test func aForgottenChildAndParameterAreReported() {
        let problems = Forgetful().unregisteredMembers()
        #expect(problems.contains { $0.contains("Forgetful.norm") && $0.contains("children") }, "\(problems)")
        #expect(problems.contains { $0.contains("Forgetful.norm") && $0.contains("does not pass on") }, "\(problems)")
        #expect(problems.contains { $0.contains("Forgetful.extra") && $0.contains("[3]") }, "\(problems)")
        #expect(!problems.contains { $0.contains("Forgetful.inner") }, "inner is listed: \(problems)")
        #expect(throws: LatentError.self) { try Forgetful().checkRegistration() }
    }

    @Test func reflectionRegistersWhatAModuleHolds() throws {
        let m = Plain()
        #expect(m.namedParameters.map(\.name) == ["scale", "body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias",
                                                  "body.2.weight", "body.2.bias", "norms.0.bias", "norms.0.log_scale"])
        #expect(m.namedBuffers.map(\.name) == ["body.1.running_mean", "body.1.running_var", "norms.0.initialized"])
        #expect(m.unregisteredMembers().isEmpty, "\(m.unregisteredMembers())")
        // The training flag reaches the BatchNorm two levels down.
        m.setTraining(false)
        #expect((m.body.layers[1] as! BatchNorm).isTraining == false)
        try m.checkRegistration()
    }

    /// Every model the library builds lists all it holds.
    @Test func everyLibraryModelIsFullyRegistered() throws {
        var rng = RandomGenerator(seed: 1)
        var models: [(String, any Module)] = [
            ("gan mlp", GAN.mlp(dataDimension: 2, latentDimension: 2, hidden: [16], rng: &rng)),
            ("gan dcgan28", GAN.dcgan28(latentDimension: 8, width: 8, rng: &rng)),
            ("gan dcgan64", GAN.dcgan64(latentDimension: 8, width: 8, rng: &rng)),
            ("realnvp", realNVP(dimensions: 2, layers: 2, hidden: [8], rng: &rng)),
        ]
        for (net, shape) in [(VAESpec.Network.mlp, [1, 16, 16]), (.conv64, [1, 64, 64])] {
            for posterior in [PosteriorKind.gaussian, .planar(2), .iaf(2)] {
                for prior in [PriorKind.normal, .maf(2)] {
                    let spec = VAESpec(inputShape: shape, latent: 4, network: net, hidden: [16], posterior: posterior, prior: prior, flowHidden: 8)
                    models.append(("vae \(net) \(posterior) \(prior)", VAE.make(spec, rng: &rng)))
                }
            }
        }
        models.append(("factor discriminator", FactorDiscriminator(latent: 4, hidden: [8], rng: &rng)))
        for kind in FlowTrainer.kinds {
            let image = kind == "periodic"
            for deq in image ? FlowTrainer.dequantizations : ["uniform"] {
                let data = image ? FlowTrainerTests.imageData() : try FlowData.load("two-moons")
                let config = try FlowTrainer.makeConfig(model: kind, data: image ? "synthetic" : "two-moons", steps: 2, batchSize: 8,
                                                        layers: 2, hidden: 8, dequantization: deq, dataSet: data)
                let trainer = try FlowTrainer(config: config, data: data)
                models.append(("flow \(kind)", trainer.model))
                if let d = trainer.dequantizer { models.append(("dequantizer \(deq)", d)) }
            }
        }
        for (what, m) in models {
            let problems = m.unregisteredMembers()
            #expect(problems.isEmpty, "\(what): \(problems.joined(separator: "; "))")
        }
    }
}

@Suite struct StateDictionaryTests {
    @Test func roundTripGivesTheSameOutputsAndKeepsActNormInitialised() throws {
        var rng = RandomGenerator(seed: 3)
        let x = rng.normal([64, 2]) * 3 + 1
        let trained = FlowModel(flow: FlowSequence([ActNorm(channels: 2), realNVP(dimensions: 2, layers: 2, hidden: [8], rng: &rng)]), eventShape: [2])
        _ = trained.negativeLogLikelihood(x)          // ActNorm initialises from this batch
        var rng2 = RandomGenerator(seed: 99)
        let fresh = FlowModel(flow: FlowSequence([ActNorm(channels: 2), realNVP(dimensions: 2, layers: 2, hidden: [8], rng: &rng2)]), eventShape: [2])

        let path = temporaryDirectory("state") + "/model.safetensors"
        try Checkpoint.save(to: path, module: trained, step: 1)
        try Checkpoint.load(from: path, into: fresh)
        let norm = (fresh.flow as! FlowSequence).flows[0] as! ActNorm
        #expect(norm.isInitialized, "the ActNorm flag travels with the checkpoint")
        // Held-out data from another distribution: a re-initialising ActNorm would change the result.
        let other = rng.normal([64, 2]) * 0.5 - 2
        let a = withoutGradients { trained.negativeLogLikelihood(other).scalar }
        let b = withoutGradients { fresh.negativeLogLikelihood(other).scalar }
        #expect(a.bitPattern == b.bitPattern, "NLL \(a) vs \(b) after the round trip")

        let state = trained.stateDictionary()
        #expect(state.keys.contains("flow.0.initialized") && state["flow.0.initialized"]!.scalars == [1])
    }

    @Test func mismatchesAreNamedAndChangeNothing() throws {
        var rng = RandomGenerator(seed: 4)
        let m = MLP([2, 4, 1], rng: &rng)
        let before = m.stateDictionary()
        var bad = before
        bad["1.weight"] = Tensor.zeros([1, 5])
        bad["0.bias"] = Tensor.zeros([4])
        do { try m.loadStateDictionary(bad); Issue.record("a wrong shape was accepted") } catch let e as LatentError {
            #expect(e.message.contains("1.weight") && e.message.contains("[1, 5]"), "\(e.message)")
        }
        #expect(m.stateDictionary()["0.bias"]!.scalars == before["0.bias"]!.scalars, "nothing assigned after a failed load")
        var missing = before
        missing["0.weight"] = nil
        #expect(throws: LatentError.self) { try m.loadStateDictionary(missing) }
        try m.loadStateDictionary(missing, strict: false)
        var extra = before
        extra["2.weight"] = Tensor.zeros([1])
        do { try m.loadStateDictionary(extra); Issue.record("an unknown entry was accepted") } catch let e as LatentError {
            #expect(e.message.contains("2.weight"), "\(e.message)")
        }
    }

    @Test func checkpointsBeforeTheFlagLoadAndKeepTheCurrentValue() throws {
        let a = ActNorm(channels: 2)
        a.initialize(from: Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 7]))
        let path = temporaryDirectory("state-old") + "/old.safetensors"
        // A checkpoint written as before: parameters only.
        try Checkpoint.save(to: path, parameters: a.namedParameters, step: 5)
        let b = ActNorm(channels: 2)
        let info = try Checkpoint.load(from: path, into: b)
        #expect(info.missingModuleState == ["initialized"])
        #expect(!b.isInitialized && b.bias.value.scalars == a.bias.value.scalars)
    }
}

@Suite struct GradientSemanticsTests {
    @Test func frozenParametersDoNotMoveUnderAdam() {
        var rng = RandomGenerator(seed: 7)
        let net = MLP([3, 8, 1], rng: &rng)
        let opt = Adam(net.parameters, learningRate: 1e-2)
        let x = rng.normal([16, 3]), y = rng.normal([16, 1])
        func step() { backward(square(net(x) - y).mean(), to: net.parameters); opt.step() }
        for _ in 0..<5 { step() }
        let frozen = net.parameters[0]
        frozen.requiresGradient = false
        let before = frozen.value.scalars, momentBefore = opt.m[0].scalars
        for _ in 0..<5 { step() }
        #expect(frozen.value.scalars == before, "a frozen weight moved")
        #expect(frozen.grad == nil)
        #expect(opt.m[0].scalars == momentBefore, "Adam updated a frozen parameter's state")
        #expect(net.parameters[2].value.scalars != before, "the others still train")
        // SGD with momentum leaves it too.
        let sgd = SGD(net.parameters, learningRate: 0.1, momentum: 0.9)
        backward(square(net(x) - y).mean(), to: net.parameters); sgd.step()
        #expect(frozen.value.scalars == before)
    }

    @Test func accumulationIsOptInAndMatchesOneBigBatch() {
        var rng = RandomGenerator(seed: 8)
        let net = MLP([3, 4, 1], rng: &rng)
        let x = rng.normal([8, 3])
        backward(net(x).sum(), to: net.parameters)
        let whole = net.parameters.map { $0.grad!.scalars }
        net.zeroGradients()
        #expect(net.parameters.allSatisfy { $0.grad == nil })
        backward(net(x.slice(axis: 0, 0..<3)).sum(), to: net.parameters, accumulate: true)
        backward(net(x.slice(axis: 0, 3..<8)).sum(), to: net.parameters, accumulate: true)
        for (p, w) in zip(net.parameters, whole) { expectClose(p.grad!, w.map(Double.init), atol: 1e-5, "accumulated") }
        // The default replaces: a second call does not add.
        backward(net(x).sum(), to: net.parameters)
        backward(net(x).sum(), to: net.parameters)
        for (p, w) in zip(net.parameters, whole) { expectClose(p.grad!, w.map(Double.init), atol: 1e-5, "replaced") }
    }
}
