/// Stops training on a loss that is no longer a number.
///
/// Training loops call `check` every step; the thrown error names the step and
/// the value, and the loop returns without overwriting the last good checkpoint.
public enum Divergence: Sendable {
    /// Throws when `loss` is NaN or infinite (or beyond `limit`).
    public static func check(_ loss: Float, step: Int, term: String = "loss", limit: Float = 1e30) throws {
        if !loss.isFinite || Swift.abs(loss) > limit {
            throw LatentError("training diverged at step \(step): \(term) is \(loss); the last good checkpoint was kept (try a lower --lr)")
        }
    }
}
