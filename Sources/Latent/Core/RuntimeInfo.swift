import Foundation

/// What this build of Latent runs on: version, the kernel ISA chosen at start-up,
/// the BLAS and FFT libraries linked, and the thread count.
public enum RuntimeInfo {
    public static let version = "0.1.0"
    /// "avx2+fma" or "ref" (forced with LATENT_ISA=ref, or on a CPU without AVX2/FMA).
    public static var isa: String { K.isaName }
    public static var cpuSupportsAVX2FMA: Bool { K.cpuHasAVX2FMA }
    public static var blas: String { "OpenBLAS (\(K.blasConfig.trimmingCharacters(in: .whitespaces)), core \(K.blasCore))" }
    public static var fft: String { K.fftwVersion + " (single precision, fftw3f)" }
    /// Threads OpenBLAS uses (OPENBLAS_NUM_THREADS or the core count).
    public static var threads: Int { K.blasThreads }
    public static func setThreads(_ n: Int) { K.setBlasThreads(n) }
}
