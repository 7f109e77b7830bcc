/// One benchmark row: a named measurement with its context and a reference.
struct BenchResult {
    var name: String
    var shape: String
    var value: Double
    var unit: String
    /// What the value is compared with (e.g. "cblas_sgemm 95.1 GFLOP/s") and the ratio value/reference.
    var reference: String = ""
    var ratio: Double? = nil
}

struct BenchRow {
    let name: String
    let group: String
    let run: () -> BenchResult
}

/// Every row, in table order. Workloads (W1-W7) register here as they land.
var allRows: [BenchRow] = []

func register(_ group: String, _ name: String, _ run: @escaping () -> BenchResult) {
    allRows.append(BenchRow(name: name, group: group, run: run))
}
