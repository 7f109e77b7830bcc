/// An error that says what went wrong and where, for files, data and training.
///
/// ```swift
/// throw LatentError.file("/data/x.npy", "truncated: header says 4000 bytes of data, file has 1200")
/// ```
public struct LatentError: Error, CustomStringConvertible, Equatable {
    /// The whole text of the error: what went wrong, naming the file or value concerned.
    public let message: String

    /// An error whose text is `message`, shown as is.
    public init(_ message: String) { self.message = message }

    /// A problem with a file: the message names the file and the problem.
    public static func file(_ path: String, _ problem: String) -> LatentError {
        LatentError("\(path): \(problem)")
    }

    /// The message itself, so that printing the error shows just it.
    public var description: String { message }
}
