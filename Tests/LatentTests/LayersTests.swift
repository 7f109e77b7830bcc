import Testing
@testable import Latent

/// Layer forward values against numpy goldens (Fixtures/make_fixtures.py).
/// Tolerance 1e-5 abs + 1e-5 rel: float32 GEMMs of at most 48 products.
@Suite struct LayersTests {
    let fx = Fixtures.shared

    @Test func linearMatchesGolden() {
        var rng = RandomGenerator(seed: 0)
        let layer = Linear(5, 3, rng: &rng)
        layer.weight.assign(fx.tensor("linear", "weight"))
        layer.bias!.assign(fx.tensor("linear", "bias"))
        expectClose(layer(fx.tensor("linear", "x")), fx.values("linear", "y"), "linear")
    }

    @Test func mlpMatchesGoldenAndNamesParameters() {
        var rng = RandomGenerator(seed: 0)
        let net = MLP([4, 5, 2], activation: .relu, rng: &rng)
        let names = net.namedParameters.map(\.name)
        #expect(names == ["0.weight", "0.bias", "1.weight", "1.bias"])
        net.namedParameters[0].parameter.assign(fx.tensor("mlp", "linear0.weight"))
        net.namedParameters[1].parameter.assign(fx.tensor("mlp", "linear0.bias"))
        net.namedParameters[2].parameter.assign(fx.tensor("mlp", "linear1.weight"))
        net.namedParameters[3].parameter.assign(fx.tensor("mlp", "linear1.bias"))
        expectClose(net(fx.tensor("mlp", "x")), fx.values("mlp", "y"), "mlp")
    }

    @Test(arguments: ["conv2d", "conv2d_s1"])
    func conv2dMatchesGolden(_ name: String) {
        let w = fx.tensor(name, "weight")
        var rng = RandomGenerator(seed: 0)
        let layer = Conv2d(w.shape[1], w.shape[0], kernelSize: w.shape[2], stride: Int(fx.config(name, "stride")),
                           padding: Int(fx.config(name, "padding")), rng: &rng)
        layer.weight.assign(w)
        layer.bias!.assign(fx.tensor(name, "bias"))
        let y = layer(fx.tensor(name, "x"))
        #expect(y.shape == fx.tensor(name, "y").shape)
        expectClose(y, fx.values(name, "y"), atol: 1e-5, rtol: 1e-4, name)
    }

    @Test func convTranspose2dMatchesGolden() {
        let name = "conv_transpose2d"
        let w = fx.tensor(name, "weight")
        var rng = RandomGenerator(seed: 0)
        let layer = ConvTranspose2d(w.shape[0], w.shape[1], kernelSize: w.shape[2], stride: Int(fx.config(name, "stride")),
                                    padding: Int(fx.config(name, "padding")), rng: &rng)
        layer.weight.assign(w)
        layer.bias!.assign(fx.tensor(name, "bias"))
        let y = layer(fx.tensor(name, "x"))
        #expect(y.shape == fx.tensor(name, "y").shape)
        expectClose(y, fx.values(name, "y"), atol: 1e-5, rtol: 1e-4, name)
    }

    @Test(arguments: ["batchnorm1d_train", "batchnorm2d_train"])
    func batchNormTrainingMatchesGolden(_ name: String) {
        let w = fx.tensor(name, "weight")
        let bn = BatchNorm(w.count, epsilon: Float(fx.config(name, "eps")), momentum: Float(fx.config(name, "momentum")))
        bn.weight.assign(w)
        bn.bias.assign(fx.tensor(name, "bias"))
        let y = bn(fx.tensor(name, "x"))
        expectClose(y, fx.values(name, "y"), atol: 1e-5, rtol: 1e-4, "\(name) y")
        expectClose(bn.runningMean.value, fx.values(name, "running_mean"), "\(name) running_mean")
        expectClose(bn.runningVar.value, fx.values(name, "running_var"), "\(name) running_var")
        // Evaluation mode uses the running statistics: an affine map of x.
        bn.setTraining(false)
        let x = fx.tensor(name, "x")
        let e = bn(x)
        let c = w.count
        let shape = x.rank == 4 ? [1, c, 1, 1] : [1, c]
        let expected = (x - bn.runningMean.value.reshaped(shape)) / sqrt(bn.runningVar.value.reshaped(shape) + 1e-5) * w.reshaped(shape) + fx.tensor(name, "bias").reshaped(shape)
        expectClose(e, expected, atol: 1e-5, rtol: 1e-5, "\(name) eval")
    }

    @Test func pytorchDefaultInitialisationBounds() {
        var rng = RandomGenerator(seed: 3)
        let lin = Linear(100, 50, rng: &rng)
        let bound: Float = 1 / Float(100).squareRoot()
        let w = lin.weight.value.scalars
        #expect(w.allSatisfy { Swift.abs($0) <= bound })
        // Uniform on [-b, b] has variance b^2 / 3.
        let variance = w.map { Double($0 * $0) }.reduce(0, +) / Double(w.count)
        #expect(Swift.abs(variance - Double(bound * bound) / 3) < 0.1 * Double(bound * bound) / 3)
        let conv = Conv2d(3, 8, kernelSize: 4, rng: &rng)
        let cb: Float = 1 / Float(3 * 16).squareRoot()
        #expect(conv.weight.value.scalars.allSatisfy { Swift.abs($0) <= cb })
        #expect(conv.weight.value.scalars.contains { Swift.abs($0) > 0.9 * cb })
        let convT = ConvTranspose2d(8, 3, kernelSize: 4, rng: &rng)
        let tb: Float = 1 / Float(3 * 16).squareRoot()
        #expect(convT.weight.shape == [8, 3, 4, 4])
        #expect(convT.weight.value.scalars.allSatisfy { Swift.abs($0) <= tb })
    }

    @Test func maskedLinearIgnoresMaskedWeights() {
        var rng = RandomGenerator(seed: 4)
        let mask = Tensor(shape: [2, 3], scalars: [1, 0, 1, 0, 1, 0])
        let layer = MaskedLinear(3, 2, mask: mask, rng: &rng)
        let x = randomTensor([4, 3], seed: 5)
        let y = layer(x)
        let w = layer.weight.value * mask
        expectClose(y, matmul(x, w, transposeB: true) + layer.bias!.value, atol: 1e-6, rtol: 1e-6)
        let loss = y.sum()
        backward(loss, to: layer.parameters)
        #expect(layer.weight.grad![0, 1] == 0 && layer.weight.grad![1, 0] == 0 && layer.weight.grad![1, 2] == 0)
    }
}
