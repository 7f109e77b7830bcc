import ArgumentParser
import Latent

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Version, kernel ISA chosen at run time, linked BLAS and FFTW, thread count.")

    func run() throws {
        print("latent \(RuntimeInfo.version)")
        print("isa: \(RuntimeInfo.isa)")
        print("cpu avx2+fma: \(RuntimeInfo.cpuSupportsAVX2FMA ? "yes" : "no")")
        print("cpu avx512: \(RuntimeInfo.cpuSupportsAVX512 ? "yes" : "no")")
        print("blas: \(RuntimeInfo.blas)")
        print("gemm: \(RuntimeInfo.gemm)")
        print("fft: \(RuntimeInfo.fft)")
        print("threads: \(RuntimeInfo.threads)")
    }
}
