// Training workloads W1-W7 of ../shared/BENCHMARKS.md (steps/s, compared with
// bench/peers/workloads.py). Each model family registers its rows here.
func registerWorkloadRows(threads: Int) {
    registerVAEWorkloads()
    registerGANWorkloads()
}
