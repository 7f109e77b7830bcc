import Foundation

/// Small plots written as PNG: line plots (loss curves), 2-D scatter and
/// density heat maps. Good enough to read at a glance; not a plotting library.
///
/// ```swift
/// let img = Plot.lines(title: "loss", series: [("nll", steps, losses)])
/// try img.writePNG("runs/x/images/loss.png")
/// ```
public enum Plot: Sendable {
    /// One named series of (x, y) points.
    public typealias Series = (name: String, x: [Double], y: [Double])

    struct Frame {
        var left = 70, right = 20, top = 30, bottom = 40
        var width: Int, height: Int
        var xMin: Double, xMax: Double, yMin: Double, yMax: Double
        func px(_ x: Double) -> Int { left + Int(((x - xMin) / max(xMax - xMin, 1e-300)) * Double(width - left - right)) }
        func py(_ y: Double) -> Int { height - bottom - Int(((y - yMin) / max(yMax - yMin, 1e-300)) * Double(height - top - bottom)) }
    }

    /// Short tick label: 3 significant digits.
    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 { return String(format: "%.2e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 10 { return String(format: "%.1f", v) }
        return String(format: "%.3g", v)
    }

    static func niceRange(_ lo: Double, _ hi: Double) -> (Double, Double) {
        guard lo.isFinite, hi.isFinite else { return (0, 1) }
        if hi - lo < 1e-12 { return (lo - 0.5 - abs(lo) * 0.05, hi + 0.5 + abs(hi) * 0.05) }
        let pad = (hi - lo) * 0.05
        return (lo - pad, hi + pad)
    }

    static func axes(_ img: inout RGBImage, _ f: Frame, title: String, xLabel: String, yLabel: String) {
        let plotRight = f.width - f.right, plotBottom = f.height - f.bottom
        for i in 0...4 {
            let t = Double(i) / 4
            let xv = f.xMin + t * (f.xMax - f.xMin), yv = f.yMin + t * (f.yMax - f.yMin)
            let x = f.px(xv), y = f.py(yv)
            img.drawLine(x, f.top, x, plotBottom, color: .lightGray)
            img.drawLine(f.left, y, plotRight, y, color: .lightGray)
            let xl = label(xv), yl = label(yv)
            img.drawText(xl, x: x - BitmapFont.width(of: xl) / 2, y: plotBottom + 6, color: .black)
            img.drawText(yl, x: f.left - 6 - BitmapFont.width(of: yl), y: y - 3, color: .black)
        }
        img.drawLine(f.left, f.top, f.left, plotBottom, color: .black)
        img.drawLine(f.left, plotBottom, plotRight, plotBottom, color: .black)
        img.drawText(title, x: (f.width - BitmapFont.width(of: title, scale: 2)) / 2, y: 6, color: .black, scale: 2)
        img.drawText(xLabel, x: (f.left + plotRight - BitmapFont.width(of: xLabel)) / 2, y: f.height - 14, color: .black)
        img.drawText(yLabel, x: 4, y: f.top - 12, color: .black)
    }

    /// Line plot of several series with a legend. Non-finite points are skipped.
    public static func lines(title: String, series: [Series], xLabel: String = "step", yLabel: String = "",
                             width: Int = 640, height: Int = 400) -> RGBImage {
        var img = RGBImage(width: width, height: height)
        let xs = series.flatMap(\.x).filter(\.isFinite)
        let ys = series.flatMap(\.y).filter(\.isFinite)
        let (x0, x1) = niceRange(xs.min() ?? 0, xs.max() ?? 1)
        let (y0, y1) = niceRange(ys.min() ?? 0, ys.max() ?? 1)
        let f = Frame(width: width, height: height, xMin: x0, xMax: x1, yMin: y0, yMax: y1)
        axes(&img, f, title: title, xLabel: xLabel, yLabel: yLabel)
        for (k, s) in series.enumerated() {
            let color = RGBImage.Color.palette[k % RGBImage.Color.palette.count]
            var last: (Int, Int)? = nil
            for (x, y) in zip(s.x, s.y) {
                guard x.isFinite, y.isFinite else { last = nil; continue }
                let p = (f.px(x), f.py(y))
                if let l = last { img.drawLine(l.0, l.1, p.0, p.1, color: color, thickness: 2) } else { img[p.0, p.1] = color }
                last = p
            }
            let ly = f.top + 4 + 12 * k, lx = width - f.right - 8 - BitmapFont.width(of: s.name) - 16
            img.fillRect(x: lx, y: ly + 2, width: 12, height: 3, color: color)
            img.drawText(s.name, x: lx + 16, y: ly, color: .black)
        }
        return img
    }

    /// Scatter plot of 2-D points as 2x2 dots, over `range` or the points' own padded range;
    /// points outside the range or not finite are skipped.
    public static func scatter(title: String, points: [(Double, Double)], range: (x: ClosedRange<Double>, y: ClosedRange<Double>)? = nil,
                               color: RGBImage.Color = .blue, width: Int = 400, height: Int = 400) -> RGBImage {
        var img = RGBImage(width: width, height: height)
        let finite = points.filter { $0.0.isFinite && $0.1.isFinite }
        let xr = range?.x ?? { let (a, b) = niceRange(finite.map(\.0).min() ?? -1, finite.map(\.0).max() ?? 1); return a...b }()
        let yr = range?.y ?? { let (a, b) = niceRange(finite.map(\.1).min() ?? -1, finite.map(\.1).max() ?? 1); return a...b }()
        let f = Frame(width: width, height: height, xMin: xr.lowerBound, xMax: xr.upperBound, yMin: yr.lowerBound, yMax: yr.upperBound)
        axes(&img, f, title: title, xLabel: "x1", yLabel: "x2")
        for p in finite where xr.contains(p.0) && yr.contains(p.1) {
            img.fillRect(x: f.px(p.0) - 1, y: f.py(p.1) - 1, width: 2, height: 2, color: color)
        }
        return img
    }

    /// Heat map of `values[row][col]` over the given ranges, row 0 at the top
    /// of the y range's upper end (i.e. rows run from y max down to y min).
    public static func heatmap(title: String, values: [[Double]], range: (x: ClosedRange<Double>, y: ClosedRange<Double>),
                               width: Int = 400, height: Int = 400) -> RGBImage {
        var img = RGBImage(width: width, height: height)
        let f = Frame(width: width, height: height, xMin: range.x.lowerBound, xMax: range.x.upperBound, yMin: range.y.lowerBound, yMax: range.y.upperBound)
        let flat = values.flatMap { $0 }.filter(\.isFinite)
        let lo = flat.min() ?? 0, hi = flat.max() ?? 1
        let rows = values.count, cols = values.first?.count ?? 0
        let x0 = f.left, x1 = width - f.right, y0 = f.top, y1 = height - f.bottom
        if rows > 0 && cols > 0 {
            for y in y0..<y1 {
                let r = min(rows - 1, (y - y0) * rows / max(y1 - y0, 1))
                for x in x0..<x1 {
                    let c = min(cols - 1, (x - x0) * cols / max(x1 - x0, 1))
                    let v = values[r][c]
                    img[x, y] = viridis(v.isFinite ? (v - lo) / max(hi - lo, 1e-300) : 0)
                }
            }
        }
        axes(&img, f, title: title, xLabel: "x1", yLabel: "x2")
        return img
    }

    /// An approximation of matplotlib's viridis colour map, t in [0, 1].
    public static func viridis(_ t: Double) -> RGBImage.Color {
        let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]
        let u = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(u), stops.count - 2), w = u - Double(i)
        let a = stops[i], b = stops[i + 1]
        return RGBImage.Color(UInt8(a.0 + (b.0 - a.0) * w), UInt8(a.1 + (b.1 - a.1) * w), UInt8(a.2 + (b.2 - a.2) * w))
    }

    /// Places images side by side, top-aligned, with `gap` pixels between them on a white
    /// canvas as tall as the tallest.
    public static func sideBySide(_ images: [RGBImage], gap: Int = 10) -> RGBImage {
        let w = images.map(\.width).reduce(0, +) + gap * max(images.count - 1, 0)
        let h = images.map(\.height).max() ?? 1
        var out = RGBImage(width: max(w, 1), height: h)
        var x = 0
        for im in images { out.paste(im, x: x, y: 0); x += im.width + gap }
        return out
    }
}
