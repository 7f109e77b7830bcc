import CLatent
import Foundation

/// What this build of Latent runs on: version, the kernel ISA chosen at start-up,
/// the BLAS and FFT libraries linked, and the thread count.
public enum RuntimeInfo: Sendable {
    /// This library's version string, `"0.1.0"`.
    public static let version = "0.1.0"
    /// The C kernel set chosen at start-up: `"avx2+fma"` on x86-64 CPUs
    /// with AVX2 and FMA, `"ref"` (portable C) otherwise or when forced with
    /// LATENT_ISA=ref.
    public static var isa: String { K.isaName }
    /// Whether the CPU and operating system support AVX2 and FMA, whichever
    /// kernel set ``isa`` names.
    public static var cpuSupportsAVX2FMA: Bool { K.cpuHasAVX2FMA }
    /// The linked BLAS: `"OpenBLAS (<build configuration>, core <kernel core>)"`,
    /// the core being the kernels OpenBLAS chose at load time (`Haswell`,
    /// `SkylakeX`, ...).
    public static var blas: String { "OpenBLAS (\(K.blasConfig.trimmingCharacters(in: .whitespaces)), core \(K.blasCore))" }
    /// The linked FFT library: FFTW's version string followed by
    /// `" (single precision, fftw3f)"`.
    public static var fft: String { K.fftwVersion + " (single precision, fftw3f)" }
    /// The thread count of Latent's own kernels: LATENT_NUM_THREADS, else
    /// OPENBLAS_NUM_THREADS, else OMP_NUM_THREADS, else the online cores (at most
    /// 64), until ``setThreads(_:)``. OpenBLAS keeps its own count until then.
    public static var threads: Int { K.threads }
    /// Sets the thread count of OpenBLAS and of Latent's own kernels together
    /// (Latent's kernels use at least 1 and at most 64).
    public static func setThreads(_ n: Int) { K.setBlasThreads(n) }
    /// Who multiplies matrices: `"avx512 (latent)"` (our own kernel, on CPUs with
    /// AVX-512) or `"blas"` (LATENT_GEMM=blas, LATENT_ISA=avx2|ref, other CPUs).
    public static var gemm: String { K.gemmName }

    /// Whether the CPU and operating system support AVX-512 F, DQ, BW and VL: the
    /// set Latent's own GEMM and OpenBLAS's SkylakeX kernels need.
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
