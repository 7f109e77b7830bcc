import Foundation

/// `DIR/log.csv`: one row per logged step, one column per loss term.
///
/// Rows are appended and flushed as they come, so a crashed run keeps its log.
/// Reopening a log with the same columns continues it (resume).
public final class CSVLog {
    /// The log file on disk, usually ``RunDirectory/logPath``.
    public let path: String
    /// The header's column names in order (by convention the step first); every row has one
    /// value per column.
    public let columns: [String]
    private let handle: FileHandle

    /// Opens `path` for appending, first writing the header line (`columns` joined by commas)
    /// if the file is missing or empty. Throws when an existing log's header differs from
    /// `columns`, or the file cannot be created or opened.
    public init(path: String, columns: [String]) throws {
        self.path = path
        self.columns = columns
        let fm = FileManager.default
        let header = columns.joined(separator: ",")
        if let existing = fm.contents(atPath: path), !existing.isEmpty {
            let first = String(decoding: existing, as: UTF8.self).split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            guard first == header else {
                throw LatentError.file(path, "existing log has columns '\(first)', this run logs '\(header)'")
            }
        } else {
            guard fm.createFile(atPath: path, contents: Data((header + "\n").utf8)) else {
                throw LatentError.file(path, "cannot create log file")
            }
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw LatentError.file(path, "cannot open log for writing") }
        handle = h
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Appends one row (values in column order) and writes it to the file at once: integral
    /// values without a decimal point, others with six significant digits (`%.6g`). Stops the
    /// program when the count differs from ``columns``; throws when the write fails.
    public func append(_ values: [Double]) throws {
        check(values.count == columns.count, "CSVLog: \(values.count) values for \(columns.count) columns")
        let line = values.map { v -> String in
            if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
            return String(format: "%.6g", v)
        }.joined(separator: ",") + "\n"
        do { try handle.write(contentsOf: Data(line.utf8)) } catch {
            throw LatentError.file(path, "cannot append to log: \(error.localizedDescription)")
        }
    }

    /// Reads a log back: the header's column names and one array per row, with NaN for a
    /// value that does not parse. Throws when the file cannot be read or is empty.
    public static func read(_ path: String) throws -> (columns: [String], rows: [[Double]]) {
        guard let d = FileManager.default.contents(atPath: path) else { throw LatentError.file(path, "cannot read log") }
        let lines = String(decoding: d, as: UTF8.self).split(separator: "\n").map(String.init)
        guard let head = lines.first else { throw LatentError.file(path, "empty log") }
        let cols = head.split(separator: ",").map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0) ?? .nan } }
        return (cols, rows)
    }

    /// Drops the rows whose first column (the step) is above `step`, so a run
    /// resumed from its checkpoint at `step` does not log those steps twice. Rows without a
    /// numeric step go too; the file is rewritten atomically, and a missing one is left alone.
    public static func truncate(_ path: String, afterStep step: Int) throws {
        guard let d = FileManager.default.contents(atPath: path) else { return }
        let lines = String(decoding: d, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard let head = lines.first else { return }
        let kept = lines.dropFirst().filter { line in
            guard let first = line.split(separator: ",").first, let s = Double(first) else { return false }
            return s <= Double(step)
        }
        try AtomicFile.write(Data(([String(head)] + kept.map(String.init)).joined(separator: "\n").appending("\n").utf8), to: path)
    }
}
