/// One token the sampler kept, with its quantized probability.
public struct SampleCandidate: Sendable, Equatable {
    public let token: Int
    /// Probability in units of 1/65536; the weights of a kept set sum to `Sampler.weightTotal`.
    public let weight: UInt32

    public init(token: Int, weight: UInt32) {
        self.token = token
        self.weight = weight
    }
}

/// The outcome of sampling one position, with everything a verifier needs to replay it.
public struct SampleResult: Sendable, Equatable {
    public let token: Int
    public let position: Int
    /// The position's uniform draw in [0, 1) (`SamplerRandom.draw`).
    public let draw: Double
    /// `floor(draw * 65536)`: the point of the cumulative weights that picks the token.
    public let threshold: UInt32
    /// The kept set in increasing token id order (one candidate of weight 65536 when greedy).
    public let candidates: [SampleCandidate]

    /// A result as a verifier rebuilds it from a receipt; check it with `Sampler.replay`.
    public init(token: Int, position: Int, draw: Double, threshold: UInt32, candidates: [SampleCandidate]) {
        self.token = token
        self.position = position
        self.draw = draw
        self.threshold = threshold
        self.candidates = candidates
    }
}

/// Seeded, portable sampling (sampler contract v1). For one position:
///
/// 1. Greedy (temperature 0): the argmax, lowest id on ties.
/// 2. Otherwise the `k = min(topK or all, candidatesMax)` largest logits are kept (ties: lower id first);
///    `w_i = exp((l_i - l_max) / T)` in double precision with the deterministic `SamplerExp`; the
///    shortest most-likely prefix whose share of `sum w` reaches `topP` is kept; its probabilities are
///    quantized to integer weights `floor(65536 * w_i / sum)`, the remainder going to the most likely
///    token, and zero weights are dropped.
/// 3. The kept set is ordered by token id and the token is the first whose cumulative weight exceeds
///    `threshold = floor(draw * 65536)`, where `draw` comes from `SamplerRandom(seed, requestID)` at this
///    position. NaN logits count as -infinity and +infinity as the largest finite float.
///
/// Step 3 uses only integers, so a verifier holding the signed kept set replays it exactly (`replay`).
public struct Sampler: Sendable {
    /// Most tokens in a kept set (the protocol's cap on top-k, so receipts stay bounded).
    public static let candidatesMax = 64
    /// Sum of the weights of a kept set.
    public static let weightTotal: UInt32 = 1 << 16

    public let parameters: SamplingParameters
    public let random: SamplerRandom

    public init(parameters: SamplingParameters, requestID: UInt64) {
        self.parameters = parameters
        self.random = SamplerRandom(seed: parameters.seed, requestID: requestID)
    }

    /// Samples the token at `position` from one row of logits (one per vocabulary entry, not empty).
    public func sample(logits: UnsafeBufferPointer<Float>, position: Int) -> SampleResult {
        precondition(!logits.isEmpty, "no logits to sample from")
        let bits = random.bits53(position: position)
        let draw = Double(bits) * 0x1p-53
        let threshold = UInt32(bits >> 37)
        let keep = parameters.isGreedy ? 1 : min(parameters.topK == 0 ? Self.candidatesMax : parameters.topK,
                                                  Self.candidatesMax)
        let top = Self.largest(logits, count: keep)
        let candidates = parameters.isGreedy ? [SampleCandidate(token: top[0].token, weight: Self.weightTotal)]
            : Self.weights(top, temperature: parameters.temperature, topP: parameters.topP)
        guard let token = Self.choose(candidates, threshold: threshold) else {
            preconditionFailure("the sampler built an invalid kept set: \(candidates)")
        }
        return SampleResult(token: token, position: position, draw: draw, threshold: threshold, candidates: candidates)
    }

    public func sample(logits: [Float], position: Int) -> SampleResult {
        logits.withUnsafeBufferPointer { sample(logits: $0, position: position) }
    }

    public static func sample(logits: [Float], parameters: SamplingParameters, requestID: UInt64, position: Int)
        -> SampleResult
    {
        Sampler(parameters: parameters, requestID: requestID).sample(logits: logits, position: position)
    }

    /// The token a kept set and a threshold select, or nil when the kept set is malformed (empty,
    /// ids not strictly increasing or negative, weights not summing to 65536, threshold >= 65536).
    public static func choose(_ candidates: [SampleCandidate], threshold: UInt32) -> Int? {
        guard !candidates.isEmpty, candidates.count <= candidatesMax, threshold < weightTotal else { return nil }
        var total: UInt32 = 0
        var previous = -1
        var chosen: Int?
        for candidate in candidates {
            guard candidate.token > previous, candidate.weight <= weightTotal - total else { return nil }
            previous = candidate.token
            total += candidate.weight
            if chosen == nil && total > threshold { chosen = candidate.token }
        }
        return total == weightTotal ? chosen : nil
    }

    /// Whether `result` is what this sampler's seed and request id give: the draw of its position and
    /// the token its kept set selects (stage 1 of verification: no model, no floats).
    public func replay(_ result: SampleResult) -> Bool {
        guard result.position >= 0 && result.position <= SamplerRandom.positionMax else { return false }
        let bits = random.bits53(position: result.position)
        guard result.draw == Double(bits) * 0x1p-53, result.threshold == UInt32(bits >> 37) else { return false }
        return Self.choose(result.candidates, threshold: result.threshold) == result.token
    }

    /// A logit with NaN as -infinity and +infinity as the largest finite value.
    static func sanitized(_ logit: Float) -> Float {
        if logit.isNaN { return -.infinity }
        return logit == .infinity ? .greatestFiniteMagnitude : logit
    }

    /// The `count` largest logits, largest first, lower id first on ties.
    static func largest(_ logits: UnsafeBufferPointer<Float>, count: Int) -> [(logit: Float, token: Int)] {
        var top: [(logit: Float, token: Int)] = []
        top.reserveCapacity(count + 1)
        for (token, raw) in logits.enumerated() {
            let logit = sanitized(raw)
            if top.count == count {
                // Ids arrive in increasing order, so an equal logit never displaces a kept one.
                guard let last = top.last, logit > last.logit else { continue }
                top.removeLast()
            }
            var index = top.count
            while index > 0 && top[index - 1].logit < logit { index -= 1 }
            top.insert((logit, token), at: index)
        }
        return top
    }

    /// Steps 2 of the contract: softmax, top-p and quantization, returned in token id order.
    static func weights(_ top: [(logit: Float, token: Int)], temperature: Float, topP: Float) -> [SampleCandidate] {
        let maximum = Double(top[0].logit)
        guard maximum > -.infinity else { return [SampleCandidate(token: top[0].token, weight: weightTotal)] }
        let scale = Double(temperature)
        let exps = top.map { SamplerExp.exp((Double($0.logit) - maximum) / scale) }
        let sum = exps.reduce(0, +)
        var keptCount = 0
        var cumulative = 0.0
        let target = Double(topP)
        while keptCount < exps.count {
            cumulative += exps[keptCount]
            keptCount += 1
            if cumulative / sum >= target { break }
        }
        let keptSum = exps[0..<keptCount].reduce(0, +)
        var quantized = exps[0..<keptCount].map { UInt32(($0 / keptSum * Double(weightTotal)).rounded(.down)) }
        quantized[0] += weightTotal - quantized.reduce(0, +)
        var out: [SampleCandidate] = []
        for index in 0..<keptCount where quantized[index] > 0 {
            out.append(SampleCandidate(token: top[index].token, weight: quantized[index]))
        }
        out.sort { $0.token < $1.token }
        return out
    }
}
