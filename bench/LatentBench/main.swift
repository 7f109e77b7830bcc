import CLatent
import Foundation
import Latent

// latent-bench [--threads N] [--calls N] [--rss] [--list] [NAME...]
//   no names: the whole table; with names: one line "NAME VALUE" each, so other
//   tools can time rows beside other implementations.

RuntimeInfo.useFastestBLASKernels()
var threads = RuntimeInfo.threads
var names: [String] = []
var reportRSS = false
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--threads":
        guard let v = args.popFirst(), let n = Int(v), n > 0 else {
            FileHandle.standardError.write("latent-bench: --threads needs a positive integer\n".data(using: .utf8)!)
            exit(64)
        }
        threads = n
    case "--calls":
        guard let v = args.popFirst(), let n = Int(v), n > 0 else {
            FileHandle.standardError.write("latent-bench: --calls needs a positive integer\n".data(using: .utf8)!)
            exit(64)
        }
        fixedCalls = n
    case "--rss":
        reportRSS = true
    case "--list":
        names = ["--list"]
    case "-h", "--help":
        print("usage: latent-bench [--threads N] [--calls N] [--rss] [--list] [NAME...]")
        exit(0)
    default:
        names.append(a)
    }
}
RuntimeInfo.setThreads(threads)
registerKernelRows(threads: threads)
registerWorkloadRows(threads: threads)

if names == ["--list"] {
    for r in allRows { print(r.name) }
    exit(0)
}

if !names.isEmpty {
    for name in names {
        guard let row = allRows.first(where: { $0.name == name }) else {
            FileHandle.standardError.write("latent-bench: no row named '\(name)'; --list shows them\n".data(using: .utf8)!)
            exit(64)
        }
        let r = row.run()
        print("\(r.name) \(String(format: "%.4g", r.value))")
    }
    if reportRSS {
        // Peak resident set of this process (KiB on Linux), for bench/compare.py.
        var usage = rusage()
        #if os(Linux)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        FileHandle.standardError.write(String(format: "peak_rss_mb %.1f\n", Double(usage.ru_maxrss) / 1024).data(using: .utf8)!)
    }
    exit(0)
}

print("latent-bench \(RuntimeInfo.version)  isa \(RuntimeInfo.isa)  threads \(threads)  blas \(RuntimeInfo.blas)")
func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
print(pad("row", 24) + pad("shape", 44) + pad("value", 18) + pad("ratio", 8) + "reference")
for row in allRows {
    let r = row.run()
    let ratio = r.ratio.map { String(format: "%.2fx", $0) } ?? ""
    print(pad(r.name, 24) + pad(r.shape, 44) + pad(String(format: "%.2f %@", r.value, r.unit), 18) + pad(ratio, 8) + r.reference)
}
