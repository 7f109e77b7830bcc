import CLatent

// Element-wise arithmetic with NumPy broadcasting, and point-wise math.
// Gradient rules: the primitive ones live here; reductions of broadcast
// gradients go through `sumToShape`.

extension Tensor {
    fileprivate static func binaryOp(_ op: lt_binary_op, _ a: Tensor, _ b: Tensor, _ name: String,
                                     _ rule: @escaping (Tensor, Tensor, Tensor, Tensor) -> (Tensor?, Tensor?)) -> Tensor {
        let y = K.binary(op, a, b, name: name)
        return record(y, inputs: [a, b], name: name, recordsBackward: true) { g in
            // A recorded backward needs the output as a function of the inputs.
            let (ga, gb) = rule(g, a, b, GradientMode.isCreatingGraph ? binaryOp(op, a, b, name, rule) : y)
            return [a.isTracked ? ga?.sumToShape(a.shape) : nil, b.isTracked ? gb?.sumToShape(b.shape) : nil]
        }
    }

    /// Element-wise sum with NumPy broadcasting; the gradient sums back to each
    /// operand's shape. Supports second derivatives, as all the arithmetic here.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binaryOp(LT_BIN_ADD, a, b, "add") { g, _, _, _ in (g, g) }
    }

    /// Element-wise difference a - b with NumPy broadcasting; gradients g and -g,
    /// summed back to each operand's shape.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binaryOp(LT_BIN_SUB, a, b, "subtract") { g, _, _, _ in (g, -g) }
    }

    /// Element-wise product with NumPy broadcasting; gradients g * b and g * a,
    /// summed back to each operand's shape.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binaryOp(LT_BIN_MUL, a, b, "multiply") { g, a, b, _ in (g * b, g * a) }
    }

    /// Element-wise quotient a / b with NumPy broadcasting; gradients g / b and
    /// -g * (a / b) / b, summed back to each operand's shape.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binaryOp(LT_BIN_DIV, a, b, "divide") { g, _, b, y in (g / b, -(g * y) / b) }
    }

    /// Element-wise maximum with NumPy broadcasting; the gradient goes to `a`
    /// where a >= b, else to `b`.
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binaryOp(LT_BIN_MAX, a, b, "maximum") { g, a, b, _ in
            let m = a.greaterEqualMask(b)
            return (g * m, g * (1 - m))
        }
    }

    /// Element-wise minimum with NumPy broadcasting; the gradient goes to `a`
    /// where a <= b, else to `b`.
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        binaryOp(LT_BIN_MIN, a, b, "minimum") { g, a, b, _ in
            let m = b.greaterEqualMask(a)
            return (g * m, g * (1 - m))
        }
    }

    /// Element-wise sum with the scalar `b` broadcast over `a`; gradient g for `a`.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    /// Element-wise sum with the scalar `a` broadcast over `b`; gradient g for `b`.
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    /// Element-wise `a` minus the scalar `b`; gradient g for `a`.
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    /// Element-wise scalar `a` minus `b`; gradient -g for `b`.
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    /// Element-wise `a` times the scalar `b`; gradient g * b for `a`.
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    /// Element-wise scalar `a` times `b`; gradient g * a for `b`.
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    /// Element-wise `a` divided by the scalar `b`; gradient g / b for `a`.
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    /// Element-wise scalar `a` divided by `b`; gradient -g * a / b^2 for `b`.
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    /// Element-wise negation -x; gradient -g.
    public static prefix func - (x: Tensor) -> Tensor {
        let y = K.unary(LT_UN_NEG, x)
        return record(y, inputs: [x], name: "negate", recordsBackward: true) { g in [-g] }
    }

    /// A 0/1 mask, 1 where self >= other (NumPy broadcasting), else 0; untracked,
    /// not differentiable.
    public func greaterEqualMask(_ other: Tensor) -> Tensor {
        let s = Shape.broadcast(shape, other.shape, op: "greaterEqualMask")
        let a = detached().expanded(to: s), b = other.detached().expanded(to: s)
        let out = Tensor.uninitialized(s)
        for i in 0..<out.count { out.base[i] = a.base[i] >= b.base[i] ? 1 : 0 }
        return out
    }

    /// A 0/1 mask, 1 where self > other (NumPy broadcasting), else 0; untracked,
    /// not differentiable.
    public func greaterMask(than other: Tensor) -> Tensor {
        let s = Shape.broadcast(shape, other.shape, op: "greaterMask")
        let a = detached().expanded(to: s), b = other.detached().expanded(to: s)
        let out = Tensor.uninitialized(s)
        for i in 0..<out.count { out.base[i] = a.base[i] > b.base[i] ? 1 : 0 }
        return out
    }

    /// A 0/1 mask of `self`'s shape, 1 where self > value, else 0; untracked, not
    /// differentiable.
    public func greaterMask(_ value: Float) -> Tensor {
        let out = Tensor.uninitialized(shape)
        for i in 0..<count { out.base[i] = base[i] > value ? 1 : 0 }
        return out
    }

    /// Sums a broadcast gradient back down to `target` (NumPy broadcasting in reverse).
    func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        var g = self
        // Sum away leading dims.
        while g.rank > target.count { g = g.sum(axis: 0) }
        for (i, d) in target.enumerated() where d == 1 && g.shape[i] != 1 {
            g = g.sum(axis: i, keepingDimension: true)
        }
        check(g.shape == target, "internal: cannot reduce gradient of shape \(shape) to \(target)")
        return g
    }

    /// Broadcasts to `target` under NumPy rules (a copy, or `self` when the shape
    /// already matches); the gradient sums back to the original shape. Stops
    /// unless the shape broadcasts to exactly `target`.
    public func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        let full = Shape.broadcast(shape, target, op: "expanded(to:)")
        check(full == target, "expanded(to:): shape \(shape) cannot expand to \(target)")
        let y = K.gatherStrided(self, offset: 0, strides: shape.isEmpty ? [Int](repeating: 0, count: target.count) : Shape.broadcastStrides(shape, to: target), shape: target)
        let s = shape
        return Tensor.record(y, inputs: [self], name: "expanded(to:)", recordsBackward: true) { g in [g.sumToShape(s)] }
    }
}

// MARK: point-wise math

extension Tensor {
    fileprivate func unaryOp(_ op: lt_unary_op, _ name: String, _ rule: @escaping (Tensor, Tensor, Tensor) -> Tensor) -> Tensor {
        let x = self
        let y = K.unary(op, x)
        return Tensor.record(y, inputs: [x], name: name, recordsBackward: true) { g in
            [rule(g, x, GradientMode.isCreatingGraph ? x.unaryOp(op, name, rule) : y)]
        }
    }
}

/// e^x element-wise; gradient e^x. Like all the point-wise math here, supports
/// second derivatives.
public func exp(_ x: Tensor) -> Tensor { x.unaryOp(LT_UN_EXP, "exp") { g, _, y in g * y } }
/// Natural logarithm element-wise; gradient 1 / x.
public func log(_ x: Tensor) -> Tensor { x.unaryOp(LT_UN_LOG, "log") { g, x, _ in g / x } }
/// log(1 + x) element-wise, accurate near 0; gradient 1 / (1 + x).
public func log1p(_ x: Tensor) -> Tensor { x.unaryOp(LT_UN_LOG1P, "log1p") { g, x, _ in g / (x + 1) } }
/// Square root element-wise; gradient 1 / (2 sqrt(x)).
public func sqrt(_ x: Tensor) -> Tensor { x.unaryOp(LT_UN_SQRT, "sqrt") { g, _, y in g / (y * 2) } }
/// |x| element-wise (gradient sign(x), 0 at 0).
public func abs(_ x: Tensor) -> Tensor {
    x.unaryOp(LT_UN_ABS, "abs") { g, x, _ in g * (x.greaterMask(0) - (-x).greaterMask(0)) }
}
/// x^2 element-wise; gradient 2x.
public func square(_ x: Tensor) -> Tensor { x.unaryOp(LT_UN_SQUARE, "square") { g, x, _ in g * x * 2 } }
/// sin(x) element-wise; gradient cos(x).
public func sin(_ x: Tensor) -> Tensor { x.unaryOp(LT_UN_SIN, "sin") { g, x, _ in g * cos(x) } }
/// cos(x) element-wise; gradient -sin(x).
public func cos(_ x: Tensor) -> Tensor { x.unaryOp(LT_UN_COS, "cos") { g, x, _ in -(g * sin(x)) } }

extension Tensor {
    /// Clamps each element into [lower, upper] (by default unbounded); the
    /// gradient is 1 inside the interval, bounds included, and 0 outside it.
    public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        let x = self
        let y = Tensor.uninitialized(shape)
        for i in 0..<count { y.base[i] = Swift.min(Swift.max(base[i], lower), upper) }
        return Tensor.record(y, inputs: [x], name: "clamped", recordsBackward: true) { g in
            let inside = Tensor.uninitialized(x.shape)
            for i in 0..<x.count { inside.base[i] = (x.base[i] >= lower && x.base[i] <= upper) ? 1 : 0 }
            return [g * inside]
        }
    }

    /// Multiplies element-wise by `mask` (NumPy broadcasting, usually 0/1); the
    /// mask is detached and gets no gradient.
    public func masked(by mask: Tensor) -> Tensor { self * mask.detached() }
}

/// Element-wise select: `a` where `condition` is non-zero, else `b`, all three
/// broadcast together (`torch.where`). Each of `a` and `b` gets the gradient
/// where it was picked; `condition` gets none.
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let c = condition.detached()
    let mask = Tensor.uninitialized(c.shape)
    for i in 0..<c.count { mask.base[i] = c.base[i] != 0 ? 1 : 0 }
    // Not a*m + b*(1-m): that turns inf * 0 into NaN in the unselected branch.
    let outShape = Shape.broadcast(Shape.broadcast(c.shape, a.shape, op: "where"), b.shape, op: "where")
    let m = mask.expanded(to: outShape), ea = a.detached().expanded(to: outShape), eb = b.detached().expanded(to: outShape)
    let y = Tensor.uninitialized(outShape)
    for i in 0..<y.count { y.base[i] = m.base[i] != 0 ? ea.base[i] : eb.base[i] }
    return Tensor.record(y, inputs: [a, b], name: "select", recordsBackward: true) { g in
        [a.isTracked ? (g * m).sumToShape(a.shape) : nil, b.isTracked ? (g * (1 - m)).sumToShape(b.shape) : nil]
    }
}
