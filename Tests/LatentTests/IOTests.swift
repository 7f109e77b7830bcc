import Foundation
import Testing
@testable import Latent

func temporaryDirectory(_ tag: String) -> String {
    let dir = NSTemporaryDirectory() + "latent-test-\(tag)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func fixturePath(_ name: String) -> String {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/io")!.path
}

/// .npy/.npz/safetensors against files written by numpy and Python's
/// safetensors (Fixtures/make_io_fixtures.py), round trips, and malformed files.
@Suite struct IOTests {
    @Test(arguments: ["f4_le_c", "f4_be_c", "f8_le_f", "f8_be_f", "i4_le_c", "i4_be_f", "i8_le_c", "i8_be_c", "u1_c", "u1_f"])
    func numpyWrittenFilesLoad(_ name: String) throws {
        let a = try NDArray.readNpy(fixturePath(name + ".npy"))
        #expect(a.shape == [2, 3, 4])
        #expect(a.doubles == (0..<24).map(Double.init), "\(name) must read back in C order")
        let expected: NDArray.DType = ["f4": .float32, "f8": .float64, "i4": .int32, "i8": .int64, "u1": .uint8][String(name.prefix(2))]!
        #expect(a.dtype == expected)
    }

    @Test func boolScalarAndEmptyLoad() throws {
        let b = try NDArray.readNpy(fixturePath("b1_c.npy"))
        #expect(b.values == .bool((0..<24).map { $0 % 3 == 0 }))
        let s = try NDArray.readNpy(fixturePath("f4_scalar.npy"))
        #expect(s.shape == [] && s.doubles == [3.5])
        let e = try NDArray.readNpy(fixturePath("f4_empty.npy"))
        #expect(e.shape == [0, 5] && e.count == 0)
    }

    @Test func roundTripEveryDtypeOrderAndEndianness() throws {
        let dir = temporaryDirectory("npy")
        let shape = [3, 2, 4]
        let n = 24
        let arrays: [NDArray] = [
            NDArray(shape: shape, values: .float32((0..<n).map { Float($0) * 0.5 - 3 })),
            NDArray(shape: shape, values: .float64((0..<n).map { Double($0) / 7 })),
            NDArray(shape: shape, values: .int32((0..<n).map { Int32($0) - 10 })),
            NDArray(shape: shape, values: .int64((0..<n).map { Int64($0) << 33 })),
            NDArray(shape: shape, values: .uint8((0..<n).map { UInt8($0 * 10) })),
            NDArray(shape: shape, values: .bool((0..<n).map { $0 % 2 == 0 })),
        ]
        for a in arrays {
            for big in [false, true] {
                for fortran in [false, true] {
                    let path = dir + "/a.npy"
                    try a.writeNpy(path, bigEndian: big, fortranOrder: fortran)
                    let b = try NDArray.readNpy(path)
                    #expect(b == a, "\(a.dtype) big \(big) fortran \(fortran)")
                    #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count % 64 == n * a.dtype.size % 64)
                }
            }
        }
    }

    @Test func npzStoredAndDeflated() throws {
        let s = try NDArray.readNpz(fixturePath("stored.npz"))
        #expect(Set(s.keys) == ["a", "labels"])
        #expect(s["a"]!.doubles == (0..<24).map(Double.init))
        #expect(try s["labels"]!.integers() == [3, 1, 2])
        let d = try NDArray.readNpz(fixturePath("deflated.npz"))
        #expect(d["imgs"]!.values == .uint8((0..<24).map { UInt8($0 % 2) }))
        #expect(d["values"]!.doubles == (0..<24).map { Double($0) / 2 })
        let only = try NDArray.readNpz(fixturePath("deflated.npz"), only: ["imgs"])
        #expect(Array(only.keys) == ["imgs"])
    }

    /// Each malformed case throws an error that names the file and the problem.
    @Test func malformedNpyFilesThrowClearErrors() throws {
        let dir = temporaryDirectory("bad")
        let good = [UInt8](NDArray(shape: [2, 3], values: .float32([1, 2, 3, 4, 5, 6])).npyData())
        func expectError(_ bytes: [UInt8], _ fragment: String, _ label: String) {
            let path = dir + "/\(label).npy"
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                _ = try NDArray.readNpy(path)
                Issue.record("\(label): no error thrown")
            } catch let e as LatentError {
                #expect(e.message.contains(path), "\(label): '\(e.message)' does not name the file")
                #expect(e.message.contains(fragment), "\(label): '\(e.message)' does not mention '\(fragment)'")
            } catch { Issue.record("\(label): unexpected error type \(error)") }
        }
        expectError(Array(good.dropLast(5)), "truncated", "truncated-data")
        expectError(Array(good.prefix(7)), "truncated", "truncated-preamble")
        expectError([0x50, 0x4B] + Array(good.dropFirst(2)), "bad magic", "magic")
        var longHeader = good
        longHeader[8] = 0xFF; longHeader[9] = 0xFF
        expectError(longHeader, "truncated", "header-past-end")
        var v2 = good
        v2[6] = 2
        v2.insert(contentsOf: [0x7F, 0x7F], at: 10)  // 4-byte length: 0x7F7F????: absurd
        v2[10] = 0x7F; v2[11] = 0x7F
        expectError(v2, "absurd header length", "absurd")
        // Header edits that keep the length (Latin-1 keeps every byte as one character).
        let text = String(bytes: good, encoding: .isoLatin1)!
        func edited(_ a: String, _ b: String) -> [UInt8] { [UInt8](text.replacingOccurrences(of: a, with: b).data(using: .isoLatin1)!) }
        expectError(edited("<f4", "<c8"), "unknown or unsupported dtype", "dtype")
        expectError(edited("(2, 3)", "(2, 4)"), "truncated", "shape-mismatch")
        expectError(edited("(2, 3)", "(1, 3)"), "size mismatch", "size-mismatch")
        expectError(edited("'descr'", "'dscr' "), "bad header", "header")
        #expect(throws: LatentError.self) { try NDArray.readNpy(dir + "/missing.npy") }
        #expect(throws: LatentError.self) { try NDArray.readNpz(dir + "/truncated-data.npy") }
    }

    @Test func safetensorsFromPythonLoads() throws {
        let (t, meta) = try SafeTensors.read(fixturePath("python.safetensors"))
        #expect(meta["step"] == "42")
        #expect(t["encoder.0.weight"]!.shape == [6, 4])
        #expect(t["encoder.0.weight"]!.doubles.enumerated().allSatisfy { abs($0.element - Double(Float(Double($0.offset) / 10))) < 1e-12 })
        #expect(try t["step_counts"]!.integers() == [1, 2, 3])
    }

    @Test func safetensorsRoundTripAndCorruption() throws {
        let dir = temporaryDirectory("st")
        let path = dir + "/c.safetensors"
        let arrays = ["w": NDArray(shape: [2, 2], values: .float32([1, 2, 3, 4])), "n": NDArray(shape: [3], values: .int64([7, 8, 9]))]
        try SafeTensors.write(arrays, metadata: ["a": "b"], to: path)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect((8 + headerLength) % 8 == 0)
        let (back, meta) = try SafeTensors.read(path)
        #expect(back == arrays && meta == ["a": "b"])
        // Truncated data, absurd header length, not JSON.
        #expect(throws: LatentError.self) { try SafeTensors.parse(Array(bytes.dropLast(4)), name: "t") }
        #expect(throws: LatentError.self) { try SafeTensors.parse([255, 255, 255, 255, 0, 0, 0, 0] + bytes.dropFirst(8), name: "t") }
        #expect(throws: LatentError.self) { try SafeTensors.parse(Array(bytes.prefix(8)) + Array(repeating: 0x41, count: headerLength), name: "t") }
    }

    @Test func atomicWriteKeepsOldFileOnFailure() throws {
        let dir = temporaryDirectory("atomic")
        let path = dir + "/checkpoint.safetensors"
        try AtomicFile.write(Data("good".utf8), to: path)
        struct Crash: Error {}
        #expect(throws: LatentError.self) {
            try AtomicFile.write(to: path) { handle in
                try handle.write(contentsOf: Data("half-writ".utf8))
                throw Crash()                        // simulated failure mid-write
            }
        }
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) == "good")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")
    }

    @Test func checkpointRoundTripWithOptimizerAndRNG() throws {
        let dir = temporaryDirectory("ckpt")
        var rng = RandomGenerator(seed: 5)
        let net = MLP([3, 4, 2], rng: &rng)
        let opt = Adam(net.parameters, learningRate: 0.01)
        let x = rng.normal([8, 3])
        for _ in 0..<3 { backward(net(x).sum(), to: net.parameters); opt.step() }
        let config = RunConfig(command: "test", model: .init(kind: "mlp", architecture: ["sizes": .array([3, 4, 2])]),
                               hyperparameters: ["lr": 0.01], data: .init(name: "two-moons"), seed: 5)
        let run = try RunDirectory.create(dir + "/run", config: config)
        try run.saveCheckpoint(parameters: net.namedParameters, optimizer: opt, rng: rng, step: 3)
        #expect(throws: LatentError.self) { try RunDirectory.create(dir + "/run", config: config) }

        var rng2 = RandomGenerator(seed: 99)
        let net2 = MLP([3, 4, 2], rng: &rng2)
        let opt2 = Adam(net2.parameters, learningRate: 0.01)
        let info = try RunDirectory.open(dir + "/run").loadCheckpoint(into: net2.namedParameters, optimizer: opt2)
        #expect(info.step == 3 && info.rng?.counter == rng.counter && opt2.stepCount == 3)
        #expect(try run.config() == config)
        for (a, b) in zip(net.parameters, net2.parameters) { #expect(a.value.scalars == b.value.scalars) }
        // One more identical step on both gives identical parameters (optimizer state restored).
        backward(net(x).sum(), to: net.parameters); opt.step()
        backward(net2(x).sum(), to: net2.parameters); opt2.step()
        for (a, b) in zip(net.parameters, net2.parameters) { #expect(a.value.scalars == b.value.scalars) }
        // A different architecture is refused with a message naming the tensor.
        let other = MLP([3, 5, 2], rng: &rng2)
        do { try run.loadCheckpoint(into: other.namedParameters); Issue.record("no error") } catch let e as LatentError {
            #expect(e.message.contains("0.weight") && e.message.contains("[4, 3]"))
        }
    }

    @Test func csvLogAndState() throws {
        let dir = temporaryDirectory("csv")
        let log = try CSVLog(path: dir + "/log.csv", columns: ["step", "loss"])
        try log.append([1, 0.5]); try log.append([2, 0.25])
        let again = try CSVLog(path: dir + "/log.csv", columns: ["step", "loss"])
        try again.append([3, 0.125])
        let (cols, rows) = try CSVLog.read(dir + "/log.csv")
        #expect(cols == ["step", "loss"] && rows == [[1, 0.5], [2, 0.25], [3, 0.125]])
        #expect(throws: LatentError.self) { try CSVLog(path: dir + "/log.csv", columns: ["step", "nll"]) }
        #expect(throws: LatentError.self) { try Divergence.check(.nan, step: 7) }
    }

    @Test func progressLineInNonTerminalOutput() {
        var lines: [String] = []
        var now = 0.0
        let bar = ProgressBar(label: "train", total: 100, output: { lines.append($0) }, isTerminal: false, clock: { now }, plainInterval: 10)
        for step in 1...100 {
            now += 0.5                              // 2 steps/s: a line every 20 steps (10 s)
            bar.update(step, metrics: [("loss", 1.0 / Double(step))])
        }
        bar.finish()
        #expect(lines.count >= 5 && lines.count <= 8, "\(lines.count) lines: \(lines)")
        #expect(lines.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") && !$0.contains("\u{1B}") })
        #expect(lines.last!.contains("100/100") && lines.last!.contains("2.0 steps/s") && lines.last!.contains("loss 0.01"))
        #expect(lines[1].contains("left 0:"))
        #expect(lines[lines.count - 1] != lines[lines.count - 2], "the final state is printed once")

        // A resumed run (steps 51...100) reports the rate of this session's steps only.
        var resumed: [String] = []
        now = 0
        let bar2 = ProgressBar(label: "train", total: 100, output: { resumed.append($0) }, isTerminal: false, clock: { now }, plainInterval: 10)
        for step in 51...100 { now += 0.5; bar2.update(step) }
        bar2.finish()
        #expect(resumed.last!.contains("2.0 steps/s"), "\(resumed.last!)")
    }

    @Test func pngIsValid() throws {
        var img = RGBImage(width: 3, height: 2)
        img[1, 1] = .red
        let d = [UInt8](img.pngData())
        #expect(Array(d.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(String(decoding: d[12..<16], as: UTF8.self) == "IHDR")
        let plot = Plot.lines(title: "loss", series: [("a", [0, 1, 2], [3, 1, 2])])
        #expect(plot.width == 640)
    }
}
