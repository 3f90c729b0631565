/// Teacher-forced scoring, the verifier's primitive: one pass over prompt + output gives, for every
/// output position, the log-probability of the token actually produced and the most likely
/// alternatives, and checks that the seeded sampler, replayed on the verifier's own logits, picks the
/// same tokens.

/// The score of one output position.
public struct ScoredPosition: Sendable {
    public let token: Int
    public let logprob: Double
    /// Most likely tokens at this position, most likely first.
    public let top: [(token: Int, logprob: Double)]
    /// The argmax minus the runner-up log-probability (how close this step was to a tie).
    public let margin: Double
    /// The token the sampler picks from the verifier's logits with the receipt's seed, if asked.
    public let replayedToken: Int?
}

/// The scores of one output, and the sampler replay verdict.
public struct ScoreResult: Sendable {
    public let positions: [ScoredPosition]

    /// Positions where the replayed sampler picked another token than the output holds.
    public var replayMismatches: [Int] {
        positions.indices.filter { index in
            positions[index].replayedToken.map { $0 != positions[index].token } ?? false
        }
    }
}

/// Scores outputs with a model; one call at a time per model.
public struct Scorer: Sendable {
    public let model: InferenceModel

    public init(model: InferenceModel) { self.model = model }

    /// Scores `output` as the continuation of `prompt`. With `sampling`, each position also replays
    /// the sampler (sampler position = output index) on the scored logits.
    /// - Throws: `InferenceError` for empty input, out-of-range ids or a sequence longer than the context.
    public func score(
        prompt: [Int], output: [Int], topK: Int, sampling: (parameters: SamplingParameters, requestID: UInt64)? = nil
    ) throws(InferenceError) -> ScoreResult {
        guard !prompt.isEmpty, !output.isEmpty else { throw .emptyInput }
        let vocabularySize = model.config.vocabularySize
        for token in output where token < 0 || token >= vocabularySize {
            throw .tokenOutOfRange(token: token, vocabularySize: vocabularySize)
        }
        let topCount = min(max(topK, 2), LogProbabilities.topCountMax)
        let cache = try model.makeCache(capacity: prompt.count + output.count)
        var logitRows = [try model.prefill(prompt, cache: cache)]
        if output.count > 1 { logitRows += try model.scoreAll(Array(output.dropLast()), cache: cache) }
        let sampler = sampling.map { Sampler(parameters: $0.parameters, requestID: $0.requestID) }
        var positions: [ScoredPosition] = []
        positions.reserveCapacity(output.count)
        for (index, logits) in logitRows.enumerated() {
            let probabilities = LogProbabilities(logits: logits)
            let best = probabilities.top(logits, count: topCount)
            positions.append(ScoredPosition(
                token: output[index], logprob: probabilities.logprob(logits[output[index]]),
                top: Array(best.prefix(topK)), margin: best[0].logprob - best[1].logprob,
                replayedToken: sampler?.sample(logits: logits, position: index).token))
        }
        return ScoreResult(positions: positions)
    }
}
