import Foundation

/// The study's pictures, drawn with ``RGBImage`` primitives: the agreement heat map and one
/// box plot per metric.
enum StudyPlots {
    /// Blue (-1) through light grey (0) to red (+1).
    static func diverging(_ t: Double) -> RGBImage.Color {
        let u = Swift.min(Swift.max(t.isFinite ? t : 0, -1), 1)
        let mid = (235.0, 235.0, 235.0), neg = (59.0, 76.0, 192.0), pos = (180.0, 4.0, 38.0)
        let end = u < 0 ? neg : pos, w = Swift.abs(u)
        func c(_ a: Double, _ b: Double) -> UInt8 { UInt8((a + (b - a) * w).rounded()) }
        return RGBImage.Color(c(mid.0, end.0), c(mid.1, end.1), c(mid.2, end.2))
    }

    static func centered(_ img: inout RGBImage, _ text: String, x: Int, y: Int, color: RGBImage.Color = .black, scale: Int = 1) {
        img.drawText(text, x: x - BitmapFont.width(of: text, scale: scale) / 2, y: y, color: color, scale: scale)
    }

    /// Spearman matrix in percent: one cell per metric pair, metric names on both axes, a colour bar.
    static func agreementHeatmap(_ r: StudyResults) -> RGBImage {
        let k = StudyMetrics.titles.count, cell = 72
        let left = 90, top = 64, bottom = 48, barWidth = 90
        let width = left + k * cell + barWidth, height = top + k * cell + bottom
        var img = RGBImage(width: width, height: height)
        centered(&img, "SPEARMAN RANK CORRELATION (%)", x: width / 2, y: 8, scale: 2)
        let sub = "\(r.plan.data), \(r.used.count) models, preset \(r.plan.preset.name)" + (r.isComplete ? "" : " (partial)")
        centered(&img, sub, x: width / 2, y: 30)
        if r.plan.preset.name.hasPrefix("small") { centered(&img, "small-scale run, not a reproduction", x: width / 2, y: 42, color: .red) }
        for i in 0..<k {
            for j in 0..<k {
                let v = r.spearman[i][j]
                let x = left + j * cell, y = top + i * cell
                img.fillRect(x: x, y: y, width: cell - 2, height: cell - 2, color: diverging(v))
                let text = StudyResults.percent(v)
                centered(&img, text, x: x + cell / 2 - 1, y: y + cell / 2 - 8, color: v.isFinite && Swift.abs(v) > 0.6 ? .white : .black, scale: 2)
            }
            let t = StudyMetrics.titles[i]
            img.drawText(t, x: left - 8 - BitmapFont.width(of: t), y: top + i * cell + cell / 2 - 4)
            centered(&img, t, x: left + i * cell + cell / 2 - 1, y: top + k * cell + 8)
        }
        // Colour bar from +100 (top) to -100 (bottom).
        let bx = left + k * cell + 20, bh = k * cell - 2
        for y in 0..<bh { img.fillRect(x: bx, y: top + y, width: 16, height: 1, color: diverging(1 - 2 * Double(y) / Double(bh - 1))) }
        img.drawText("100", x: bx + 22, y: top)
        img.drawText("0", x: bx + 22, y: top + bh / 2 - 3)
        img.drawText("-100", x: bx + 22, y: top + bh - 7)
        return img
    }

    /// Box plot of one metric by method (boxes: quartiles; whiskers: 1.5 IQR; every model a dot,
    /// coloured by its hyperparameter's position in the method's grid).
    static func spread(_ r: StudyResults, metric m: Int) -> RGBImage {
        let methods = r.plan.grid.map(\.method)
        let slot = 120, left = 70, right = 20, top = 56, bottom = 70
        let width = Swift.max(640, left + Swift.max(methods.count, 1) * slot + right), height = 460
        var img = RGBImage(width: width, height: height)
        let title = StudyMetrics.titles[m]
        centered(&img, "\(title) BY METHOD", x: width / 2, y: 8, scale: 2)
        var sub = "\(r.plan.data), \(r.used.count) models" + (r.isComplete ? "" : " (partial)")
        if r.plan.preset.name.hasPrefix("small") { sub += ", small-scale run, not a reproduction" }
        centered(&img, sub, x: width / 2, y: 30)
        let values = r.used.map { $0.metricValues[m] }
        let (lo, hi) = Plot.niceRange(Swift.min(values.min() ?? 0, 0), Swift.max(values.max() ?? 1, values.isEmpty ? 1 : 0))
        let plotBottom = height - bottom
        func py(_ v: Double) -> Int { plotBottom - Int(((v - lo) / Swift.max(hi - lo, 1e-300)) * Double(plotBottom - top)) }
        for i in 0...4 {
            let v = lo + Double(i) / 4 * (hi - lo), y = py(v)
            img.drawLine(left, y, width - right, y, color: .lightGray)
            let l = Plot.label(v)
            img.drawText(l, x: left - 6 - BitmapFont.width(of: l), y: y - 3)
        }
        img.drawLine(left, top, left, plotBottom, color: .black)
        img.drawLine(left, plotBottom, width - right, plotBottom, color: .black)
        img.drawText(title, x: 4, y: top - 14)
        for (s, entry) in r.plan.grid.enumerated() {
            let cx = left + (width - left - right) * (2 * s + 1) / (2 * Swift.max(methods.count, 1))
            centered(&img, entry.method, x: cx, y: plotBottom + 8)
            centered(&img, entry.parameter + " " + entry.values.map(StudyModel.format).joined(separator: ","), x: cx, y: plotBottom + 20, color: .gray)
            let rows = r.used.filter { $0.model.method == entry.method }
            centered(&img, "n=\(rows.count)", x: cx, y: plotBottom + 32, color: .gray)
            guard let b = StudyAnalysis.boxStatistics(rows.map { $0.metricValues[m] }) else { continue }
            let bw = 56, bx = cx - bw / 2
            // Whiskers, box, median.
            img.drawLine(cx, py(b.lowerWhisker), cx, py(b.q1), color: .black)
            img.drawLine(cx, py(b.q3), cx, py(b.upperWhisker), color: .black)
            img.drawLine(cx - 12, py(b.lowerWhisker), cx + 12, py(b.lowerWhisker), color: .black)
            img.drawLine(cx - 12, py(b.upperWhisker), cx + 12, py(b.upperWhisker), color: .black)
            let yTop = py(b.q3), yBottom = py(b.q1)
            img.fillRect(x: bx, y: yTop, width: bw, height: Swift.max(yBottom - yTop, 1), color: RGBImage.Color(205, 222, 240))
            img.drawLine(bx, yTop, bx + bw, yTop, color: .blue)
            img.drawLine(bx, yBottom, bx + bw, yBottom, color: .blue)
            img.drawLine(bx, yTop, bx, yBottom, color: .blue)
            img.drawLine(bx + bw, yTop, bx + bw, yBottom, color: .blue)
            img.drawLine(bx, py(b.median), bx + bw, py(b.median), color: .orange, thickness: 2)
            // Every model as a dot, spread horizontally by a fixed jitter (its seed index and value position).
            for row in rows {
                let v = row.metricValues[m]
                let h = entry.values.firstIndex(of: row.model.value) ?? 0
                let jitter = ((h * 7 + row.model.seedIndex * 3) % 11 - 5) * 4
                let color = RGBImage.Color.palette[h % RGBImage.Color.palette.count]
                img.fillRect(x: cx + jitter - 2, y: py(v) - 2, width: 5, height: 5, color: color)
            }
        }
        img.drawText("dots: one model each, colour = position of its value in the method's grid", x: left, y: height - 14, color: .gray)
        return img
    }
}
