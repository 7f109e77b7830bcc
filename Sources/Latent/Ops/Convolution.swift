import CLatent

// 2-D convolution and transposed convolution (PyTorch semantics, NCHW),
// through im2col + GEMM in the C core.

/// Cross-correlation of x (N, C, H, W) with weight (O, C, kh, kw), plus bias (O),
/// as `torch.nn.functional.conv2d`: the result is (N, O, (H + 2 padding - kh) /
/// stride + 1, (W + 2 padding - kw) / stride + 1), with zero padding and the
/// same stride and padding along height and width. Supports second derivatives.
///
/// ```swift
/// let y = conv2d(x, weight: w, bias: b, stride: 2, padding: 1)
/// ```
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
    check(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[1],
                 "conv2d: input \(x.shape) does not match weight \(weight.shape) (expects (N, C, H, W) and (O, C, kh, kw))")
    check(stride >= 1 && padding >= 0, "conv2d: stride \(stride) and padding \(padding) must be >= 1 and >= 0")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
    if let bias { check(bias.shape == [o], "conv2d: bias \(bias.shape) does not match weight \(weight.shape)") }
    let oh = (h + 2 * padding - kh) / stride + 1, ow = (w + 2 * padding - kw) / stride + 1
    check(h + 2 * padding >= kh && w + 2 * padding >= kw, "conv2d: kernel \(kh)x\(kw) larger than padded input \(x.shape)")
    let geo = K.ConvGeometry(n: n, c: c, h: h, w: w, o: o, kh: kh, kw: kw, sh: stride, sw: stride, ph: padding, pw: padding, oh: oh, ow: ow)
    let y = K.conv2dForward(x, weight, bias: bias, geo)
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return Tensor.record(y, inputs: inputs, name: "conv2d", recordsBackward: true) { g in
        if GradientMode.isCreatingGraph {
            // The adjoint convolution and the (bilinear) weight gradient, both recorded.
            let outputPadding = h + 2 * padding - kh - (oh - 1) * stride
            var grads: [Tensor?] = [
                x.isTracked ? convTranspose2d(g, weight: weight, stride: stride, padding: padding, outputPadding: outputPadding) : nil,
                weight.isTracked ? conv2dWeightGradient(x, g, weightShape: weight.shape, stride: stride, padding: padding) : nil,
            ]
            if let bias { grads.append(bias.isTracked ? g.sum(axis: 3).sum(axis: 2).sum(axis: 0) : nil) }
            return grads
        }
        let (dx, dw, db) = K.conv2dBackward(g, x: x, w: weight, geo, needX: x.isTracked, needW: weight.isTracked, needBias: bias?.isTracked ?? false)
        var grads: [Tensor?] = [dx, dw]
        if bias != nil { grads.append(db) }
        return grads
    }
}

/// Transposed convolution of x (N, Cin, H, W) with weight (Cin, Cout, kh, kw)
/// (PyTorch's layout), plus bias (Cout): the result is (N, Cout, oh, ow) with
/// oh = (H - 1) * stride - 2 * padding + kh + outputPadding, and ow likewise
/// from W and kw. Without the bias it is the adjoint of
/// ``conv2d(_:weight:bias:stride:padding:)`` with the same weight, read as
/// (O, C) = (Cin, Cout). Supports second derivatives.
public func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) -> Tensor {
    check(x.rank == 4 && weight.rank == 4 && x.shape[1] == weight.shape[0],
                 "convTranspose2d: input \(x.shape) does not match weight \(weight.shape) (expects (N, Cin, H, W) and (Cin, Cout, kh, kw))")
    let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, kh, kw) = (weight.shape[1], weight.shape[2], weight.shape[3])
    if let bias { check(bias.shape == [cout], "convTranspose2d: bias \(bias.shape) does not match weight \(weight.shape)") }
    let oh = (h - 1) * stride - 2 * padding + kh + outputPadding
    let ow = (w - 1) * stride - 2 * padding + kw + outputPadding
    check(oh > 0 && ow > 0, "convTranspose2d: empty output for input \(x.shape) and weight \(weight.shape)")
    // As a conv2d from the output space (Cout, oh, ow) to the input space (Cin, h, w).
    let geo = K.ConvGeometry(n: n, c: cout, h: oh, w: ow, o: cin, kh: kh, kw: kw, sh: stride, sw: stride, ph: padding, pw: padding, oh: h, ow: w)
    let (yOpt, _, _) = K.conv2dBackward(x, x: nil, w: weight, geo, needX: true, needW: false, needBias: false)
    var y = yOpt!
    if let bias { y = K.binary(LT_BIN_ADD, y, bias.reshaped([1, cout, 1, 1]).detached(), name: "convTranspose2d") }
    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    return Tensor.record(y, inputs: inputs, name: "convTranspose2d", recordsBackward: true) { g in
        if GradientMode.isCreatingGraph {
            // convTranspose2d is the adjoint of conv2d from the output space: its input gradient is
            // that conv2d, its weight gradient the conv2d weight gradient with the roles of x and g swapped.
            var grads: [Tensor?] = [
                x.isTracked ? conv2d(g, weight: weight, stride: stride, padding: padding) : nil,
                weight.isTracked ? conv2dWeightGradient(g, x, weightShape: weight.shape, stride: stride, padding: padding) : nil,
            ]
            if let bias { grads.append(bias.isTracked ? g.sum(axis: 3).sum(axis: 2).sum(axis: 0) : nil) }
            return grads
        }
        let (dx, dw) = K.convTranspose2dBackward(g, x: x, w: weight, geo, needX: x.isTracked, needW: weight.isTracked)
        var grads: [Tensor?] = [dx, dw]
        if let bias { grads.append(bias.isTracked ? g.sum(axis: 3).sum(axis: 2).sum(axis: 0) : nil) }
        return grads
    }
}

/// The gradient of `conv2d(x, weight:, stride:, padding:)` with respect to its
/// weight, for the output gradient `g`, as a recorded op. It is bilinear in
/// (x, g): <dW(x, g), V> = <conv2d(x, V), g> = <x, convTranspose2d(g, V)>, so its
/// own backward is a transposed convolution (for x) and a convolution (for g)
/// with the incoming gradient V as the weight; second derivatives of
/// convolutions go through it.
func conv2dWeightGradient(_ x: Tensor, _ g: Tensor, weightShape: [Int], stride: Int, padding: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
    let (oh, ow) = (g.shape[2], g.shape[3])
    check(g.shape == [n, o, oh, ow] && weightShape[1] == c,
          "conv2dWeightGradient: output gradient \(g.shape) does not match input \(x.shape) and weight \(weightShape)")
    let geo = K.ConvGeometry(n: n, c: c, h: h, w: w, o: o, kh: kh, kw: kw, sh: stride, sw: stride, ph: padding, pw: padding, oh: oh, ow: ow)
    let (_, dwOpt, _) = K.conv2dBackward(g, x: x, w: Tensor.zeros(weightShape), geo, needX: false, needW: true, needBias: false)
    let outputPadding = h + 2 * padding - kh - (oh - 1) * stride
    return Tensor.record(dwOpt!, inputs: [x, g], name: "conv2d weight gradient", recordsBackward: true) { v in
        [x.isTracked ? convTranspose2d(g, weight: v, stride: stride, padding: padding, outputPadding: outputPadding) : nil,
         g.isTracked ? conv2d(x, weight: v, stride: stride, padding: padding) : nil]
    }
}
