import Foundation

/// Writes files so that a reader never sees a half-written one.
///
/// The bytes go to a temporary file in the same directory, are flushed to disk,
/// and the temporary file is renamed over the destination (rename(2) is atomic
/// on POSIX file systems). If writing fails or the process dies, the previous
/// file is untouched.
public enum AtomicFile: Sendable {
    /// Writes `data` to `path` atomically, creating parent directories.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { handle in try handle.write(contentsOf: data) }
    }

    /// Writes through `body` to a temporary file, then renames it to `path`.
    /// If `body` throws, the temporary file is removed and `path` keeps its old content.
    public static func write(to path: String, _ body: (FileHandle) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw LatentError.file(dir, "cannot create directory: \(error.localizedDescription)")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
            throw LatentError.file(path, "cannot create temporary file \(tmp) (permissions or disk full?)")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
            do {
                try body(handle)
                try handle.synchronize()
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            guard rename(tmp, path) == 0 else {
                throw LatentError.file(path, "cannot rename \(tmp) into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(tmp)
            if let e = error as? LatentError { throw e }
            throw LatentError.file(path, "write failed: \(error.localizedDescription)")
        }
    }
}
