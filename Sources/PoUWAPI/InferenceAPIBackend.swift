/// The seam between the OpenAI-compatible endpoints (`/v1/…`) and whatever runs the model: the routes parse
/// and bound the request, the backend tokenizes, generates and reports tokens.

/// What the OpenAI-compatible endpoints need from a model runner. Called from the API's threads, from any
/// number of requests at once (at most `InferenceLimits.concurrentRequestsMax`); an implementation may queue
/// them. Every error is an `APIError` answered as is (400 for a request the model cannot take, for example
/// a prompt longer than its context; 500 when the engine fails).
public protocol InferenceAPIBackend: Sendable {
    /// The models served, in the order `GET /v1/models` lists them; a job's `model` is one of their ids.
    func models() -> [ModelView]
    /// Runs `request` to the end and returns the whole answer.
    func complete(_ request: CompletionJob) async throws(APIError) -> CompletionResult
    /// Runs `request`, calling `onToken` once per generated token, in order, before returning the whole
    /// answer. `onToken` returns false when the client is gone: generation then stops at the next token
    /// (finish reason `.stop`). Errors found before generation (the prompt does not fit) are thrown before
    /// the first `onToken`.
    func stream(
        _ request: CompletionJob, onToken: @escaping @Sendable (TokenEvent) async -> Bool
    ) async throws(APIError) -> CompletionResult
}

/// One message of a chat prompt: its role (`system`, `user` or `assistant`) and its text.
public struct CompletionMessage: Sendable, Hashable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// What to complete: a conversation rendered through the model's chat template, or plain text.
public enum CompletionPrompt: Sendable, Hashable {
    case chat([CompletionMessage])
    case text(String)
}

/// A validated completion request, every value within `InferenceLimits` and OpenAI's ranges.
public struct CompletionJob: Sendable, Hashable {
    /// Unique per request on this node (random); names the answer (`chatcmpl-…`) and, without `seed`, derives
    /// the sampler seed.
    public var requestID: UInt64
    /// The id of a served model (`ModelView.id`).
    public var model: String
    public var prompt: CompletionPrompt
    /// Most tokens to generate; `nil`: the backend's default, bounded by what the context leaves.
    public var maxTokens: Int?
    /// 0 (greedy) … `InferenceLimits.temperatureMax`.
    public var temperature: Double
    /// In (0, 1].
    public var topP: Double
    /// The sampler seed; `nil`: derived from `requestID` (the answer reports the seed used).
    public var seed: UInt64?
    /// Generation stops before the first occurrence of any of these (at most 4, 1…256 bytes each).
    public var stop: [String]
    /// Report each generated token's log-probability.
    public var logprobs: Bool
    /// Alternatives reported per token, 0…`InferenceLimits.topLogprobsMax` (only with `logprobs`).
    public var topLogprobs: Int

    public init(
        requestID: UInt64, model: String, prompt: CompletionPrompt, maxTokens: Int? = nil, temperature: Double = 1,
        topP: Double = 1, seed: UInt64? = nil, stop: [String] = [], logprobs: Bool = false, topLogprobs: Int = 0
    ) {
        self.requestID = requestID
        self.model = model
        self.prompt = prompt
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.topP = topP
        self.seed = seed
        self.stop = stop
        self.logprobs = logprobs
        self.topLogprobs = topLogprobs
    }

    /// The seed the sampler uses: `seed`, or else one derived from `requestID` (SplitMix64's finaliser), so
    /// the answer reports it before generation and a replay with it reproduces the tokens.
    public var resolvedSeed: UInt64 {
        if let seed { return seed }
        var value = requestID &+ 0x9E37_79B9_7F4A_7C15
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// One alternative token and its log-probability.
public struct TopLogprob: Sendable, Hashable {
    /// The token's text (U+FFFD where it ends inside a UTF-8 sequence; `bytes` has the exact bytes).
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]

    public init(token: String, logprob: Double, bytes: [UInt8]) {
        self.token = token
        self.logprob = logprob
        self.bytes = bytes
    }
}

/// A generated token's log-probability under the model (temperature 1) and the most likely alternatives.
public struct TokenLogprob: Sendable, Hashable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]
    /// Most likely first; `CompletionJob.topLogprobs` of them.
    public var top: [TopLogprob]

    public init(token: String, logprob: Double, bytes: [UInt8], top: [TopLogprob]) {
        self.token = token
        self.logprob = logprob
        self.bytes = bytes
        self.top = top
    }
}

/// One generated token as it streams out.
public struct TokenEvent: Sendable, Hashable {
    /// Text this token completes (may be empty: a partial character, text held back while it may begin a
    /// stop sequence, or an end-of-generation token).
    public var text: String
    /// The token's log-probability when the job asked for them; `nil` otherwise and for an
    /// end-of-generation token (it is not part of the text).
    public var logprob: TokenLogprob?

    public init(text: String, logprob: TokenLogprob? = nil) {
        self.text = text
        self.logprob = logprob
    }
}

/// Why generation ended, as OpenAI names it.
public enum CompletionFinishReason: String, Sendable, Hashable, Codable {
    /// An end-of-generation token, a stop sequence, or the client went away.
    case stop
    /// `maxTokens` or the model's context reached.
    case length
}

/// The whole answer to a `CompletionJob`.
public struct CompletionResult: Sendable, Hashable {
    public var text: String
    public var finishReason: CompletionFinishReason
    public var promptTokens: Int
    /// Every generated token, an end-of-generation token included.
    public var completionTokens: Int
    /// Per token of the text when the job asked for them (end-of-generation tokens left out); else `nil`.
    public var logprobs: [TokenLogprob]?
    /// The sampler seed used: send it back as `seed` to replay the answer.
    public var seed: UInt64

    public init(
        text: String, finishReason: CompletionFinishReason, promptTokens: Int, completionTokens: Int,
        logprobs: [TokenLogprob]?, seed: UInt64
    ) {
        self.text = text
        self.finishReason = finishReason
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.logprobs = logprobs
        self.seed = seed
    }
}

/// `GET /v1/models` entry: OpenAI's model object plus the context length.
public struct ModelView: Codable, Sendable, Hashable {
    /// The name requests use in `model`.
    public var id: String
    public var object: String
    /// Unix seconds (0 when unknown).
    public var created: Int
    public var ownedBy: String
    /// Most positions (prompt and generated tokens) one sequence may hold.
    public var contextLength: Int

    public init(id: String, created: Int = 0, ownedBy: String = "pouw", contextLength: Int) {
        self.id = id
        self.object = "model"
        self.created = created
        self.ownedBy = ownedBy
        self.contextLength = contextLength
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
        case contextLength = "context_length"
    }
}

/// The bounds of the OpenAI-compatible endpoints; a request beyond one is answered 4xx naming it.
public struct InferenceLimits: Sendable, Hashable {
    /// Largest request body of `/v1/…`, bytes (413 above).
    public var bodyBytesMax = 1024 * 1024
    /// Most messages in one chat request.
    public var messagesMax = 256
    /// Largest message content, UTF-8 bytes.
    public var messageBytesMax = 128 * 1024
    /// Largest `/v1/completions` prompt, UTF-8 bytes.
    public var promptBytesMax = 256 * 1024
    /// Largest `max_tokens` (the engine's bound, `SamplingParameters.maxTokensMax`); the model's context
    /// bounds it too.
    public var maxTokensMax = 8192
    /// Inference requests in flight (queued or generating) on this server; one more is answered 429.
    public var concurrentRequestsMax = 8

    /// Most `top_logprobs` (OpenAI's bound).
    public static let topLogprobsMax = 20
    /// Most legacy `/v1/completions` `logprobs` (OpenAI's bound).
    public static let legacyLogprobsMax = 5
    /// Largest `temperature` (OpenAI's range is 0…2).
    public static let temperatureMax = 2.0
    /// Most stop sequences and their largest size, UTF-8 bytes (`SamplingParameters`' bounds).
    public static let stopSequencesMax = 4
    public static let stopSequenceBytesMax = 256

    public init() {}
}
