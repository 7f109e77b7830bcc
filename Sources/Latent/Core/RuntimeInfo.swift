import CLatent
import Foundation

/// What this build of Latent runs on: version, the kernel ISA chosen at start-up,
/// the BLAS and FFT libraries linked, and the thread count.
public enum RuntimeInfo: Sendable {
    public static let version = "0.1.0"
    /// "avx2+fma" or "ref" (forced with LATENT_ISA=ref, or on a CPU without AVX2/FMA).
    public static var isa: String { K.isaName }
    public static var cpuSupportsAVX2FMA: Bool { K.cpuHasAVX2FMA }
    public static var blas: String { "OpenBLAS (\(K.blasConfig.trimmingCharacters(in: .whitespaces)), core \(K.blasCore))" }
    public static var fft: String { K.fftwVersion + " (single precision, fftw3f)" }
    /// Threads for OpenBLAS and Latent's own kernels (LATENT_NUM_THREADS,
    /// OPENBLAS_NUM_THREADS or the core count, until `setThreads`).
    public static var threads: Int { K.threads }
    public static func setThreads(_ n: Int) { K.setBlasThreads(n) }
    /// Who multiplies matrices: "avx512 (latent)" (our own kernel, on CPUs with
    /// AVX-512) or "blas" (LATENT_GEMM=blas, LATENT_ISA=avx2|ref, other CPUs).
    public static var gemm: String { K.gemmName }

    public static var cpuSupportsAVX512: Bool { K.cpuHasAVX512 }

    /// Makes OpenBLAS use its AVX-512 kernels on CPUs it does not recognise.
    ///
    /// OpenBLAS 0.3.21 (Debian 12) picks its AVX2 "Haswell" kernels on recent AMD
    /// cores with AVX-512; its "SkylakeX" kernels run large products about twice as
    /// fast there (`latent-bench gemm-w5`: 85 -> 165 GFLOP/s on one core). OpenBLAS
    /// chooses its kernels when the library loads, before any of our code runs, so
    /// the only way is to set OPENBLAS_CORETYPE and re-execute the program once.
    /// Executables call this first thing; a user's OPENBLAS_CORETYPE always wins.
    /// Linux only (it needs /proc/self/exe); elsewhere it does nothing. Not needed
    /// (and skipped) when Latent's own AVX-512 GEMM does the matrix products.
    public static func useFastestBLASKernels() {
        #if os(Linux)
        guard lt_use_own_gemm() == 0 else { return }
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["LATENT_NO_REEXEC"] == nil, K.cpuHasAVX512 else { return }
        guard ["Haswell", "Zen", "Sandybridge"].contains(K.blasCore.trimmingCharacters(in: .whitespaces)) else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        setenv("LATENT_NO_REEXEC", "1", 1)   // never loop
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: keep running with the kernels we have.
        #endif
    }
}
