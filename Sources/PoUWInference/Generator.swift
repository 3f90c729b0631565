/// Text generation on one sequence: prefill the prompt, then sample token by token with the seeded
/// sampler until an end-of-generation token, a stop sequence or `maxTokens`.
///
/// The sampler's position for the i-th generated token is `i` (0-based), so a verifier replays a
/// receipt from the output alone.

/// Why generation ended.
public enum FinishReason: String, Sendable, Equatable {
    /// An end-of-generation token or a stop sequence.
    case stop
    /// `maxTokens` reached.
    case length
}

/// One generated token as it streams out.
public struct GeneratedToken: Sendable {
    public let token: Int
    /// Text completed by this token, with stop sequences held back or cut (may be empty).
    public let text: String
    public let sample: SampleResult
    /// The token's log-probability under the model (temperature 1, before top-k/top-p).
    public let logprob: Double
    /// The most likely alternatives at this position, if asked for.
    public let top: [(token: Int, logprob: Double)]
}

/// The whole of one generation.
public struct Generation: Sendable {
    public let promptTokens: [Int]
    public let tokens: [Int]
    public let text: String
    public let finishReason: FinishReason
    public let samples: [SampleResult]
    public let logprobs: [Double]
}

/// Runs generations on a model; one at a time per model (the model's buffers are shared).
public struct Generator: Sendable {
    public let model: InferenceModel
    public let tokenizer: Tokenizer

    public init(model: InferenceModel, tokenizer: Tokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    /// Generates from `prompt` (token ids). `onToken` sees every token as it is produced and returns
    /// false to stop early (finish reason `.stop`). `topLogprobs` alternatives are computed per token.
    /// The cache holds prompt + `maxTokens` positions, clamped to the context (generation then ends
    /// with `.length` when the context is full).
    /// - Throws: `InferenceError` for an empty prompt, an id outside the vocabulary, or a prompt that
    ///   leaves no room in the context for one generated token — before any work is done.
    public func generate(
        prompt: [Int], parameters: SamplingParameters, requestID: UInt64, topLogprobs: Int = 0,
        onToken: (GeneratedToken) -> Bool = { _ in true }
    ) throws(InferenceError) -> Generation {
        guard prompt.count < model.positionsMax else {
            throw .sequenceTooLong(capacity: model.positionsMax, needed: prompt.count + 1)
        }
        let capacity = min(prompt.count + parameters.maxTokens, model.positionsMax)
        let cache = try model.makeCache(capacity: capacity)
        let sampler = Sampler(parameters: parameters, requestID: requestID)
        var stream = TokenizerStream(tokenizer: tokenizer)
        var stops = SamplerStopMatcher(stopSequences: parameters.stopSequences)
        var logits = try model.prefill(prompt, cache: cache)
        var tokens: [Int] = []
        var samples: [SampleResult] = []
        var logprobs: [Double] = []
        var text = ""
        var finish = FinishReason.length
        while tokens.count < parameters.maxTokens {
            let sample = sampler.sample(logits: logits, position: tokens.count)
            let probabilities = LogProbabilities(logits: logits)
            tokens.append(sample.token)
            samples.append(sample)
            logprobs.append(probabilities.logprob(logits[sample.token]))
            let isEnd = tokenizer.endOfGenerationIDs.contains(sample.token)
            let piece = isEnd ? (text: stops.finish(), stopped: false) : stops.append(stream.append(sample.token))
            text += piece.text
            let event = GeneratedToken(
                token: sample.token, text: piece.text, sample: sample, logprob: logprobs.last!,
                top: probabilities.top(logits, count: topLogprobs))
            if !onToken(event) || isEnd || piece.stopped {
                finish = .stop
                break
            }
            guard tokens.count < parameters.maxTokens, cache.count < cache.capacity else { break }
            logits = try model.decode([sample.token], caches: [cache])[0]
        }
        if finish == .length { text += stops.append(stream.finish()).text + stops.finish() }
        return Generation(promptTokens: prompt, tokens: tokens, text: text, finishReason: finish,
                          samples: samples, logprobs: logprobs)
    }
}
