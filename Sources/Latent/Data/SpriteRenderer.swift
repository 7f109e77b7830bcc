import Foundation

/// The three dSprites shape classes, in the original class order.
public enum SpriteShape: Int, CaseIterable, Sendable {
    /// Square (0), ellipse (1) and heart (2): the raw value is the `shape` factor's value.
    case square = 0, ellipse = 1, heart = 2

    /// The lower-case name: `square`, `ellipse` or `heart`.
    public var name: String { ["square", "ellipse", "heart"][rawValue] }
}

/// Draws one binary sprite (no anti-aliasing) on a square canvas.
///
/// Geometry, in pixels, on a W x W canvas whose pixel (row i, column j) has its
/// centre at (x, y) = (j + 0.5, i + 0.5), y pointing down:
/// - `centre` is where the shape's origin lands; `radius` R sets its size.
/// - The pixel is rotated into the shape frame by -angle, with the shape's
///   v axis pointing up, so a growing angle turns the sprite counter-clockwise
///   on screen:  u = cos a * dx + sin a * (-dy),  v = -sin a * dx + cos a * (-dy).
/// - square:  max(|u|, |v|) <= R                 (side 2R)
/// - ellipse: (u / R)^2 + (v / (R/2))^2 <= 1      (semi-axes R and R/2, long axis along u)
/// - heart:   with (x, y) = (u, v) * 1.15 / R, the classic implicit heart
///            (x^2 + y^2 - 1)^3 - x^2 y^3 <= 0, lobes up (about 2R wide, 1.95R tall)
/// A pixel is on (1) when its centre is inside the shape; the canvas is only
/// written inside the shape's bounding circle (1.5 R), so the caller zeroes it.
enum SpriteRenderer {
    /// Writes 1 into `canvas` (W x W, row-major) where the sprite covers a pixel centre.
    static func draw(_ shape: SpriteShape, into canvas: UnsafeMutablePointer<Float>, width w: Int,
                     centre: (x: Double, y: Double), radius r: Double, angle: Double) {
        let c = cos(angle), s = sin(angle)
        // Every shape lies within distance 1.5 R of its origin (heart lobes reach ~1.13 R).
        let reach = 1.5 * r + 1
        let i0 = max(0, Int((centre.y - reach).rounded(.down))), i1 = min(w - 1, Int((centre.y + reach).rounded(.up)))
        let j0 = max(0, Int((centre.x - reach).rounded(.down))), j1 = min(w - 1, Int((centre.x + reach).rounded(.up)))
        guard i0 <= i1, j0 <= j1 else { return }
        let heartScale = 1.15 / r
        for i in i0...i1 {
            let dyUp = -((Double(i) + 0.5) - centre.y)
            let row = canvas + i * w
            for j in j0...j1 {
                let dx = (Double(j) + 0.5) - centre.x
                let u = c * dx + s * dyUp
                let v = -s * dx + c * dyUp
                let inside: Bool
                switch shape {
                case .square:
                    inside = Swift.max(Swift.abs(u), Swift.abs(v)) <= r
                case .ellipse:
                    let a = u / r, b = v / (0.5 * r)
                    inside = a * a + b * b <= 1
                case .heart:
                    let x = u * heartScale, y = v * heartScale
                    let q = x * x + y * y - 1
                    inside = q * q * q - x * x * y * y * y <= 0
                }
                if inside { row[j] = 1 }
            }
        }
    }
}

/// `count` evenly spaced values from `low` to `high`, both ends included (numpy's linspace).
func linspace(_ low: Double, _ high: Double, _ count: Int) -> [Double] {
    guard count > 1 else { return count == 1 ? [low] : [] }
    return (0..<count).map { low + (high - low) * Double($0) / Double(count - 1) }
}
