// Training workloads W1-W7 of bench/README.md ("Workloads"; steps/s, compared with
// bench/peers/workloads.py). Each model family registers its rows here.
func registerWorkloadRows(threads: Int) {
    registerVAEWorkloads()
    registerFlowWorkloadRows(threads: threads)   // W1, W5: FlowWorkloads.swift
    registerGANWorkloads()
}
