import Foundation
import Testing
@testable import Latent

/// IDX files written by the test (never the installed package): round trips, plain and
/// gzip, and a clear error naming the file for each kind of damage.
@Suite struct IDXTests {
    static let dir: String = {
        let d = NSTemporaryDirectory() + "latent-idx-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    static func sample(_ dims: [Int] = [5, 3, 4]) -> IDXFile {
        IDXFile(dimensions: dims, bytes: (0..<dims.reduce(1, *)).map { UInt8(($0 * 37 + 11) % 256) })
    }

    /// Expects reading `bytes` (written to `name`) to throw an error whose message names the
    /// file and contains `problem`.
    func expectRejected(_ bytes: [UInt8], _ name: String, _ problem: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = Self.dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            let f = try IDXFile(contentsOf: path)
            Issue.record("\(name): accepted, dimensions \(f.dimensions)", sourceLocation: sourceLocation)
        } catch let e as LatentError {
            #expect(e.message.hasPrefix(path) && e.message.contains(problem), "message: \(e.message)", sourceLocation: sourceLocation)
        }
    }

    @Test func roundTripPlainAndGzip() throws {
        let f = Self.sample()
        for name in ["round.idx", "round.idx.gz"] {
            let path = Self.dir + "/" + name
            try f.write(to: path)
            #expect(try IDXFile(contentsOf: path) == f)
        }
        // The .gz really is compressed (gzip magic 1f 8b), the plain one starts with the IDX magic.
        let gz = try Data(contentsOf: URL(fileURLWithPath: Self.dir + "/round.idx.gz"))
        #expect(gz.prefix(2) == Data([0x1f, 0x8b]))
        let plain = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.dir + "/round.idx")))
        #expect(plain.prefix(16) == [0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 4])
        #expect(plain.count == 16 + 60)
    }

    @Test func rejectsDamagedFiles() throws {
        let good = Self.sample().encoded
        var badMagic = good; badMagic[0] = 0x12; badMagic[1] = 0x34
        try expectRejected(badMagic, "bad-magic.idx", "bad magic 0x12340803")
        try expectRejected(Array(good.dropLast()), "truncated.idx", "truncated body")
        try expectRejected(Array(good.prefix(10)), "truncated-header.idx", "truncated header")
        try expectRejected([0, 0, 8], "tiny.idx", "truncated header")
        var manyDims = good; manyDims[3] = 200
        try expectRejected(manyDims, "oversized.idx", "oversized header")
        // Sizes whose product overflows / is absurd.
        try expectRejected([0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12) + [1, 2, 3], "huge.idx", "oversized header")
        var float32 = good; float32[2] = 0x0D
        try expectRejected(float32, "float.idx", "element type 0x0D")
        try expectRejected(good + [0, 0], "trailing.idx", "2 bytes after")
        do {
            _ = try IDXFile(contentsOf: Self.dir + "/missing.idx.gz")
            Issue.record("missing file accepted")
        } catch let e as LatentError { #expect(e.message.contains("missing.idx.gz")) }
    }

    @Test func rejectsATruncatedGzipBody() throws {
        let f = IDXFile(dimensions: [200, 28, 28], bytes: (0..<156_800).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })
        let path = Self.dir + "/cut.idx.gz"
        try f.write(to: path)
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: path))
        do {
            _ = try IDXFile(contentsOf: path)
            Issue.record("half a .gz accepted")
        } catch let e as LatentError {
            #expect(e.message.hasPrefix(path), "message: \(e.message)")
        }
    }

    @Test func imageSetWithLabelsBesideTheImages() throws {
        let images = IDXFile(dimensions: [6, 4, 3], bytes: (0..<72).map { UInt8($0 * 3) })
        let labels = IDXFile(dimensions: [6], bytes: [0, 1, 2, 3, 4, 9])
        try images.write(to: Self.dir + "/train-images-idx3-ubyte.gz")
        try labels.write(to: Self.dir + "/train-labels-idx1-ubyte.gz")
        let name = "idx:" + Self.dir + "/train-images-idx3-ubyte.gz"
        guard case .images(let set) = try DatasetRegistry.dataset(named: name) else {
            Issue.record("idx: did not give images"); return
        }
        #expect(set.count == 6 && set.imageShape == [1, 4, 3])
        #expect(set.labels == [0, 1, 2, 3, 4, 9])
        let x = set.floats([1])
        expectClose(x, (12..<24).map { Double($0 * 3) / 255 }, atol: 1e-7, "second image / 255")
        // Colour IDX (n, H, W, C) comes out channels first.
        let rgb = IDXFile(dimensions: [1, 2, 2, 3], bytes: [10, 20, 30, 11, 21, 31, 12, 22, 32, 13, 23, 33])
        try rgb.write(to: Self.dir + "/rgb.idx")
        let c = try ImageSet.loadIDX(images: Self.dir + "/rgb.idx")
        #expect(c.imageShape == [3, 2, 2] && c.pixels == [10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33])
        #expect(c.labels == nil)
        // Label count must match.
        try IDXFile(dimensions: [5], bytes: [0, 1, 2, 3, 4]).write(to: Self.dir + "/bad-labels.idx")
        #expect(throws: LatentError.self) {
            try ImageSet.loadIDX(images: Self.dir + "/train-images-idx3-ubyte.gz", labels: Self.dir + "/bad-labels.idx")
        }
    }
}
