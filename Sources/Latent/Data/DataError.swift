/// A data set could not be found, read or named.
///
/// The message always says which file or name and what is wrong with it, so
/// it can be shown to the user as it is:
///
/// ```swift
/// do { _ = try IDXFile(contentsOf: "x.idx") }
/// catch let e as DataError { print(e) }   // "x.idx: bad magic 0x12345678 ..."
/// ```
public struct DataError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
