import PoUWKernels

/// Log-probabilities from one position's logits, computed the same way everywhere (the numbers go
/// into receipts and are compared by verifiers):
///
/// - `m` = the largest logit (NaN as -infinity);
/// - `s` = Σ exp(lᵢ - m), with `DeterministicMath.exp` over 16-lane blocks in index order, lane sums
///   added left to right in double precision (a fixed order, independent of threads and ISA);
/// - `logprob(i) = lᵢ - m - ScalarMath.log(s)` in double precision.
public struct LogProbabilities: Sendable {
    /// `m + log(s)`: subtract from a logit to get its log-probability.
    public let logSumExp: Double

    /// Most alternatives `top` returns (OpenAI allows 20).
    public static let topCountMax = 20

    public init(logits: UnsafeBufferPointer<Float>) {
        precondition(!logits.isEmpty, "log-probabilities of no logits")
        var maximum = -Float.infinity
        for l in logits where l > maximum { maximum = l }
        if maximum == -.infinity || maximum.isNaN { maximum = 0 }
        let lanes = 16
        var acc = SIMD16<Float>(repeating: 0)
        let full = logits.count / lanes * lanes
        let m = SIMD16<Float>(repeating: maximum)
        var i = 0
        while i < full {
            var v = SIMD16<Float>(logits[i..<(i + lanes)])
            v.replace(with: -.infinity, where: v .!= v)
            acc += DeterministicMath.exp(v - m)
            i += lanes
        }
        var sum = 0.0
        for lane in 0..<lanes { sum += Double(acc[lane]) }
        while i < logits.count {
            let l = logits[i].isNaN ? -Float.infinity : logits[i]
            sum += Double(DeterministicMath.exp(l - maximum))
            i += 1
        }
        logSumExp = Double(maximum) + ScalarMath.log(sum)
    }

    public init(logits: [Float]) {
        self = logits.withUnsafeBufferPointer { LogProbabilities(logits: $0) }
    }

    /// The log-probability of a token whose logit is `logit`.
    public func logprob(_ logit: Float) -> Double {
        logit.isNaN ? -.infinity : Double(logit) - logSumExp
    }

    /// The `count` most likely tokens, most likely first, lower id first on ties.
    public func top(_ logits: [Float], count: Int) -> [(token: Int, logprob: Double)] {
        precondition(count >= 0 && count <= Self.topCountMax, "top count \(count) outside 0…\(Self.topCountMax)")
        guard count > 0 else { return [] }
        var best: [(logit: Float, token: Int)] = []
        best.reserveCapacity(count + 1)
        for (token, raw) in logits.enumerated() {
            let logit = raw.isNaN ? -Float.infinity : raw
            if best.count == count, let last = best.last, !(logit > last.logit) { continue }
            var at = best.count
            while at > 0 && logit > best[at - 1].logit { at -= 1 }
            best.insert((logit, token), at: at)
            if best.count > count { best.removeLast() }
        }
        return best.map { ($0.token, logprob($0.logit)) }
    }
}
