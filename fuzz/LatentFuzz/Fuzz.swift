import Foundation
import Latent

// Fuzz target for the file readers: .npy, .npz, safetensors, IDX.
// The first byte picks the reader; the rest is the file. A reader may throw,
// never crash, hang or read out of bounds.
//
// Built two ways:
//   * normally: a replayer, `latent-fuzz FILE...` runs each file through its reader
//     (the seed corpus and past crashes in fuzz/corpus are replayed by the tests);
//   * with libFuzzer (`make fuzz`): -sanitize=fuzzer,address -DLATENT_LIBFUZZER.

func runReaders(_ bytes: [UInt8]) {
    guard let selector = bytes.first else { return }
    let body = Array(bytes.dropFirst())
    switch selector % 4 {
    case 0: _ = try? NDArray.parseNpy(Data(body), name: "fuzz.npy")
    case 1: _ = try? NDArray.parseNpz(body, name: "fuzz.npz")
    case 2: _ = try? SafeTensors.parse(body, name: "fuzz.safetensors")
    default: _ = try? IDXFile(parsing: body, path: "fuzz.idx")
    }
}

#if LATENT_LIBFUZZER
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    runReaders(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

// SwiftPM links executables with main aliased to <Target>_main, so libFuzzer's
// own main is not pulled in; hand control to its driver from here.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("LatentFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v) { data, size in fuzzOneInput(data, size) }
}
#else
@main
struct Replay {
    static func main() {
        let files = CommandLine.arguments.dropFirst()
        for f in files {
            guard let d = FileManager.default.contents(atPath: f) else {
                FileHandle.standardError.write("latent-fuzz: cannot read \(f)\n".data(using: .utf8)!)
                exit(1)
            }
            runReaders([UInt8](d))
        }
        print("replayed \(files.count) inputs")
    }
}
#endif
