import Foundation
import Testing
@testable import Latent

/// Replays the fuzzing corpus (fuzz/corpus: seeds and inputs that once crashed
/// or exhausted memory) through the file readers: each must throw or parse,
/// never crash. `make fuzz` grows the corpus.
@Suite struct FuzzRegressionTests {
    static let corpus: String = {
        // Tests/LatentTests/FuzzRegressionTests.swift -> repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fuzz/corpus").path
    }()

    @Test func corpusReplaysWithoutCrashing() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { $0.hasSuffix(".seed") }
        #expect(files.count >= 10)
        var parsed = 0, rejected = 0
        for f in files.sorted() {
            let bytes = [UInt8](FileManager.default.contents(atPath: Self.corpus + "/" + f)!)
            guard let selector = bytes.first else { continue }
            let body = Array(bytes.dropFirst())
            do {
                switch selector % 4 {
                case 0: _ = try NDArray.parseNpy(Data(body), name: f)
                case 1: _ = try NDArray.parseNpz(body, name: f)
                case 2: _ = try SafeTensors.parse(body, name: f)
                default: _ = try IDXFile(parsing: body, path: f)
                }
                parsed += 1
            } catch let e as LatentError {
                #expect(e.message.contains(f), "error does not name the input: \(e.message)")
                rejected += 1
            }
        }
        // The regression inputs must be rejected with an error, the seeds accepted.
        #expect(rejected >= 2 && parsed >= 10, "parsed \(parsed), rejected \(rejected)")
    }
}
