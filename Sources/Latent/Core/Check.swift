/// Argument checks whose message survives every build configuration.
///
/// `precondition` and `preconditionFailure` drop their message in optimised
/// builds (a user of `-c release` sees only "precondition failure" and a
/// backtrace); `fatalError` keeps it. Every shape, range and usage check in the
/// library goes through these two functions so that the message naming the
/// operands reaches stderr in debug and release alike.

/// Stops the program with `message` when `condition` is false.
@inline(__always)
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
           file: StaticString = #fileID, line: UInt = #line) {
    if _slowPath(!condition()) { checkFailure(message(), file: file, line: line) }
}

/// Stops the program with `message`.
@inline(never)
func checkFailure(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    fatalError(message(), file: file, line: line)
}
