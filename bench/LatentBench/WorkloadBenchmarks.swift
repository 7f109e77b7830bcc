// Training workloads W1-W7 of ../shared/BENCHMARKS.md register here as their
// model families land (steps/s, compared with bench/peers/workloads.py).
func registerWorkloadRows(threads: Int) {
    registerFlowWorkloadRows(threads: threads)   // W1, W5: FlowWorkloads.swift
}
