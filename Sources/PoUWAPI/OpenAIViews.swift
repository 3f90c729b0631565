/// The JSON answers of the OpenAI-compatible endpoints, in OpenAI's shapes (snake_case keys; absent values
/// written as `null` where OpenAI writes them). Decodable too, so clients and tests can read them back.
/// Extension: `pouw_seed`, the sampler seed used, to replay an answer.

/// Token counts of one answer.
public struct UsageView: Codable, Sendable, Hashable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    init(_ result: CompletionResult) {
        promptTokens = result.promptTokens
        completionTokens = result.completionTokens
        totalTokens = result.promptTokens + result.completionTokens
    }

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
    }
}

/// An alternative token in `top_logprobs`.
public struct TopLogprobView: Codable, Sendable, Hashable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]

    init(_ top: TopLogprob) {
        token = top.token
        logprob = OpenAIJSON.finite(top.logprob)
        bytes = top.bytes
    }
}

/// One token of `logprobs.content`.
public struct TokenLogprobView: Codable, Sendable, Hashable {
    public var token: String
    public var logprob: Double
    public var bytes: [UInt8]
    public var topLogprobs: [TopLogprobView]

    init(_ entry: TokenLogprob) {
        token = entry.token
        logprob = OpenAIJSON.finite(entry.logprob)
        bytes = entry.bytes
        topLogprobs = entry.top.map(TopLogprobView.init)
    }

    private enum CodingKeys: String, CodingKey {
        case token, logprob, bytes
        case topLogprobs = "top_logprobs"
    }
}

/// A choice's `logprobs` in chat answers.
public struct ChatLogprobsView: Codable, Sendable, Hashable {
    public var content: [TokenLogprobView]
}

/// `{"role": …, "content": …}` of a chat answer, or a streamed delta (either may be absent there).
public struct ChatMessageView: Codable, Sendable, Hashable {
    public var role: String?
    public var content: String?
}

/// One choice of a chat answer (or chunk: then `delta` instead of `message`, `finish_reason` null until last).
public struct ChatChoiceView: Codable, Sendable, Hashable {
    public var index: Int
    public var message: ChatMessageView?
    public var delta: ChatMessageView?
    public var logprobs: ChatLogprobsView?
    public var finishReason: CompletionFinishReason?

    private enum CodingKeys: String, CodingKey {
        case index, message, delta, logprobs
        case finishReason = "finish_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(delta, forKey: .delta)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// `POST /v1/chat/completions` answer (`object` "chat.completion") or one streamed chunk
/// (`object` "chat.completion.chunk"; `usage` only in the last chunk, with `stream_options.include_usage`).
public struct ChatCompletionView: Codable, Sendable, Hashable {
    public var id: String
    public var object: String
    /// Unix seconds.
    public var created: Int
    public var model: String
    public var choices: [ChatChoiceView]
    public var usage: UsageView?
    public var pouwSeed: UInt64

    private enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case pouwSeed = "pouw_seed"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        if object == "chat.completion" || usage != nil { try container.encode(usage, forKey: .usage) }
        try container.encode(pouwSeed, forKey: .pouwSeed)
    }
}

/// Legacy `logprobs` of `/v1/completions`: parallel arrays per token.
public struct LegacyLogprobsView: Codable, Sendable, Hashable {
    public var tokens: [String]
    public var tokenLogprobs: [Double]
    /// Per token, alternative text → log-probability (`null` entries when none were asked for).
    public var topLogprobs: [[String: Double]]?
    /// Offset of each token's text in the completion, in characters.
    public var textOffset: [Int]

    init(_ entries: [TokenLogprob], startOffset: Int, withTop: Bool) {
        tokens = entries.map(\.token)
        tokenLogprobs = entries.map { OpenAIJSON.finite($0.logprob) }
        topLogprobs = withTop
            ? entries.map { entry in
                Dictionary(entry.top.map { ($0.token, OpenAIJSON.finite($0.logprob)) }, uniquingKeysWith: max)
            }
            : nil
        var offsets: [Int] = []
        var offset = startOffset
        for entry in entries {
            offsets.append(offset)
            offset += entry.token.count
        }
        textOffset = offsets
    }

    private enum CodingKeys: String, CodingKey {
        case tokens
        case tokenLogprobs = "token_logprobs"
        case topLogprobs = "top_logprobs"
        case textOffset = "text_offset"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(tokenLogprobs, forKey: .tokenLogprobs)
        try container.encode(topLogprobs, forKey: .topLogprobs)
        try container.encode(textOffset, forKey: .textOffset)
    }
}

/// One choice of a `/v1/completions` answer or chunk.
public struct TextChoiceView: Codable, Sendable, Hashable {
    public var text: String
    public var index: Int
    public var logprobs: LegacyLogprobsView?
    public var finishReason: CompletionFinishReason?

    private enum CodingKeys: String, CodingKey {
        case text, index, logprobs
        case finishReason = "finish_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encode(index, forKey: .index)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason, forKey: .finishReason)
    }
}

/// `POST /v1/completions` answer or streamed chunk (`object` "text_completion" for both, as OpenAI does).
public struct TextCompletionView: Codable, Sendable, Hashable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [TextChoiceView]
    public var usage: UsageView?
    public var pouwSeed: UInt64

    private enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case pouwSeed = "pouw_seed"
    }
}

/// `GET /v1/models` answer.
public struct ModelListView: Codable, Sendable, Hashable {
    public var object: String
    public var data: [ModelView]

    init(data: [ModelView]) {
        object = "list"
        self.data = data
    }
}

/// Number conventions of the OpenAI answers.
enum OpenAIJSON {
    /// OpenAI's stand-in for an impossible token's log-probability; JSON has no infinity.
    static let logprobFloor = -9999.0

    static func finite(_ value: Double) -> Double { value.isFinite ? value : logprobFloor }
}
