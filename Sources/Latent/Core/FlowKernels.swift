import CLatent

// The C calls of the flow layers (affine coupling, periodic convolution),
// kept out of Kernels.swift so the two files change independently. Like
// Kernels.swift: contiguous tensors in and out, no tape, no checks the public
// layers have not already made.

extension K {
    // MARK: affine coupling

    /// (out, logdet) of the fused coupling; x, r, t are (N, D), mask (D).
    static func coupling(_ x: Tensor, r: Tensor, t: Tensor, mask: Tensor, rows: Int, cols: Int, inverse: Bool) -> (Tensor, Tensor) {
        let out = Tensor.uninitialized(x.shape), logdet = Tensor.uninitialized([rows])
        table.pointee.coupling_forward(out.base, logdet.base, x.base, r.base, t.base, mask.base, Int64(rows), Int64(cols), inverse ? 1 : 0)
        return (out, logdet)
    }

    /// (din, dr, dt) from the output and/or log-det gradients.
    static func couplingBackward(dout: Tensor?, dlogdet: Tensor?, x: Tensor, out: Tensor, r: Tensor, mask: Tensor,
                                 rows: Int, cols: Int, inverse: Bool) -> (Tensor, Tensor, Tensor) {
        let dx = Tensor.uninitialized(x.shape), dr = Tensor.uninitialized(x.shape), dt = Tensor.uninitialized(x.shape)
        table.pointee.coupling_backward(dx.base, dr.base, dt.base, dout?.base, dlogdet?.base, x.base, out.base, r.base, mask.base,
                                        Int64(rows), Int64(cols), inverse ? 1 : 0)
        return (dx, dr, dt)
    }

    // MARK: periodic convolution

    private static func periodicCheck(_ status: Int32, _ what: String) {
        check(status != 1, "\(what): FFTW could not create a plan")
        check(status != 2, "\(what): unsupported sizes (filter larger than the image, or more than 32 channels)")
        check(status != 3, "\(what): the convolution is singular at some frequency")
    }

    /// Half spectrum (C, C, H, W/2+1, 2) of the filter bank w (C, C, k, k).
    static func periodicSpectrum(_ w: Tensor, height: Int, width: Int) -> Tensor {
        let c = w.shape[0], k = w.shape[2]
        let spec = Tensor.uninitialized([c, c, height, width / 2 + 1, 2])
        let work = TensorStorage(count: Int(lt_periodic_workspace(0, Int32(c), Int32(height), Int32(width))))
        periodicCheck(lt_periodic_spectrum_f32(spec.base, w.base, Int32(c), Int32(height), Int32(width), Int32(k), work.base), "PeriodicConvolution")
        return spec
    }

    static func periodicLogDet(_ spec: Tensor, channels c: Int, height: Int, width: Int) -> Float {
        var ld: Float = 0
        let status = lt_periodic_logdet_f32(&ld, spec.base, Int32(c), Int32(height), Int32(width))
        check(status == 0 || status == 3, "PeriodicConvolution: log-det failed with status \(status)")
        return status == 3 ? -.infinity : ld
    }

    /// y = M x per frequency, M = K, K^H, K^-1 or K^-H (mode 0...3); x is (N, C, H, W).
    static func periodicApply(_ x: Tensor, spec: Tensor, mode: Int32) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let y = Tensor.uninitialized(x.shape)
        let work = TensorStorage(count: Int(lt_periodic_workspace(Int32(n), Int32(c), Int32(h), Int32(w))))
        periodicCheck(lt_periodic_apply_f32(y.base, x.base, spec.base, Int32(n), Int32(c), Int32(h), Int32(w), mode, work.base), "PeriodicConvolution")
        return y
    }

    /// Gradient of <dy, conv(w, x)> + dlogdet * log|det| with respect to w (C, C, k, k).
    static func periodicWeightBackward(dy: Tensor?, x: Tensor, dlogdet: Float, spec: Tensor, kernelSize k: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let dw = Tensor.uninitialized([c, c, k, k])
        let work = TensorStorage(count: Int(lt_periodic_workspace(Int32(Swift.max(n, c)), Int32(c), Int32(h), Int32(w))))
        periodicCheck(lt_periodic_weight_backward_f32(dw.base, dy?.base, x.base, dlogdet, spec.base, Int32(n), Int32(c), Int32(h), Int32(w), Int32(k), work.base),
                      "PeriodicConvolution")
        return dw
    }
}
