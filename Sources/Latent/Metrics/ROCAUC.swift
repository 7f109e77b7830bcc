/// Area under the ROC curve of `scores` for binary `positive` labels: the
/// probability that a random positive scores above a random negative, ties
/// counting one half (equal to scikit-learn's trapezoidal `roc_auc_score`).
/// Returns nil when all labels are equal (the area is undefined).
///
/// ```swift
/// rocAUC(scores: [0.1, 0.4, 0.35, 0.8], positive: [false, false, true, true])   // 0.75
/// ```
public func rocAUC(scores: [Double], positive: [Bool]) -> Double? {
    check(scores.count == positive.count, "rocAUC: \(scores.count) scores, \(positive.count) labels")
    let nPos = positive.filter { $0 }.count, nNeg = positive.count - nPos
    if nPos == 0 || nNeg == 0 { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    // Mann-Whitney U with average ranks for ties.
    var rankSumPositive = 0.0
    var i = 0
    while i < order.count {
        var j = i
        while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
        let averageRank = Double(i + j) / 2 + 1
        for t in i...j where positive[order[t]] { rankSumPositive += averageRank }
        i = j + 1
    }
    let u = rankSumPositive - Double(nPos) * Double(nPos + 1) / 2
    return u / (Double(nPos) * Double(nNeg))
}
