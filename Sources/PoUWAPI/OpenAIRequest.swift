/// Reading and bounding the bodies of `POST /v1/chat/completions` and `POST /v1/completions`. Every refusal
/// is a 400 whose `param` and message name the parameter; unknown parameters are ignored.
import Foundation

/// A parsed request: the job for the backend and how to answer.
struct OpenAIRequest: Sendable {
    var job: CompletionJob
    var stream: Bool
    /// `stream_options.include_usage`: a last chunk with `usage`.
    var includeUsage: Bool
    /// Legacy `/v1/completions` `logprobs` (alternatives per token), `nil` when not asked for.
    var legacyLogprobs: Int?
}

/// The fields both endpoints share, as sent.
private struct CommonFields: Decodable {
    var model: String?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var temperature: Double?
    var topP: Double?
    var seed: SeedValue?
    var stop: StringOrStrings?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var n: Int?

    enum CodingKeys: String, CodingKey {
        case model, temperature, seed, stop, stream, n
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case topP = "top_p"
        case streamOptions = "stream_options"
    }
}

private struct StreamOptions: Decodable {
    var includeUsage: Bool?

    enum CodingKeys: String, CodingKey {
        case includeUsage = "include_usage"
    }
}

/// `seed`: any JSON integer from −2⁶³ to 2⁶⁴−1; a negative one is taken as its two's-complement bits.
private struct SeedValue: Decodable {
    var value: UInt64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let unsigned = try? container.decode(UInt64.self) {
            value = unsigned
        } else {
            value = UInt64(bitPattern: try container.decode(Int64.self))
        }
    }
}

/// `stop` or `prompt`: a string or an array of strings.
private struct StringOrStrings: Decodable {
    var sequences: [String]

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            sequences = [one]
        } else {
            sequences = try container.decode([String].self)
        }
    }
}

/// A chat message as sent: `content` is a string, an array of `{"type": "text", "text": …}` parts, or null.
private struct MessageInput: Decodable {
    var role: String
    var content: String

    private struct Part: Decodable {
        var type: String
        var text: String?
    }

    enum CodingKeys: String, CodingKey {
        case role, content
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        if try container.decodeNil(forKey: .content) {
            content = ""
        } else if let text = try? container.decode(String.self, forKey: .content) {
            content = text
        } else {
            let parts = try container.decode([Part].self, forKey: .content)
            guard parts.allSatisfy({ $0.type == "text" && $0.text != nil }) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .content, in: container,
                    debugDescription: "only text content parts ({\"type\": \"text\", \"text\": …}) are supported")
            }
            content = parts.compactMap(\.text).joined()
        }
    }
}

private struct ChatFields: Decodable {
    var messages: [MessageInput]?
    var logprobs: Bool?
    var topLogprobs: Int?

    enum CodingKeys: String, CodingKey {
        case messages, logprobs
        case topLogprobs = "top_logprobs"
    }
}

private struct TextFields: Decodable {
    var prompt: StringOrStrings?
    var logprobs: Int?
    var echo: Bool?
    var suffix: String?
}

enum OpenAIRequestParser {
    /// Roles a chat message may have (`developer` is read as `system`).
    static let roles: Set<String> = ["system", "user", "assistant"]

    /// Parses a `/v1/chat/completions` body.
    static func chat(_ body: [UInt8], requestID: UInt64, limits: InferenceLimits) throws(APIError) -> OpenAIRequest {
        let common: CommonFields = try decode(body)
        let fields: ChatFields = try decode(body)
        guard let inputs = fields.messages else { throw missing("messages") }
        guard !inputs.isEmpty else { throw invalid("messages", "must hold at least one message") }
        guard inputs.count <= limits.messagesMax else {
            throw invalid("messages", "holds \(inputs.count) messages; at most \(limits.messagesMax) are accepted")
        }
        var messages: [CompletionMessage] = []
        for (index, input) in inputs.enumerated() {
            let role = input.role == "developer" ? "system" : input.role
            guard roles.contains(role) else {
                throw invalid("messages[\(index)].role",
                              "is \"\(input.role.prefix(40))\"; use system, user or assistant")
            }
            guard input.content.utf8.count <= limits.messageBytesMax else {
                throw invalid("messages[\(index)].content",
                              "has \(input.content.utf8.count) bytes; at most \(limits.messageBytesMax) are accepted")
            }
            messages.append(CompletionMessage(role: role, content: input.content))
        }
        let logprobs = fields.logprobs ?? false
        let top = fields.topLogprobs ?? 0
        guard (0...InferenceLimits.topLogprobsMax).contains(top) else {
            throw invalid("top_logprobs", "is \(top); use 0…\(InferenceLimits.topLogprobsMax)")
        }
        guard top == 0 || logprobs else { throw invalid("top_logprobs", "needs \"logprobs\": true") }
        return try request(common, prompt: .chat(messages), requestID: requestID, limits: limits,
                           logprobs: logprobs, topLogprobs: top, legacyLogprobs: nil)
    }

    /// Parses a `/v1/completions` body.
    static func text(_ body: [UInt8], requestID: UInt64, limits: InferenceLimits) throws(APIError) -> OpenAIRequest {
        let common: CommonFields = try decode(body)
        let fields: TextFields = try decode(body)
        guard let prompts = fields.prompt?.sequences else { throw missing("prompt") }
        guard prompts.count == 1, let prompt = prompts.first else {
            throw invalid("prompt", "holds \(prompts.count) prompts; send exactly one")
        }
        guard !prompt.isEmpty else { throw invalid("prompt", "is empty") }
        guard prompt.utf8.count <= limits.promptBytesMax else {
            throw invalid("prompt", "has \(prompt.utf8.count) bytes; at most \(limits.promptBytesMax) are accepted")
        }
        if fields.echo == true { throw invalid("echo", "is not supported; leave it out or send false") }
        if fields.suffix != nil { throw invalid("suffix", "is not supported; leave it out") }
        let legacy = fields.logprobs
        if let legacy, !(0...InferenceLimits.legacyLogprobsMax).contains(legacy) {
            throw invalid("logprobs", "is \(legacy); use 0…\(InferenceLimits.legacyLogprobsMax)")
        }
        return try request(common, prompt: .text(prompt), requestID: requestID, limits: limits,
                           logprobs: legacy != nil, topLogprobs: legacy ?? 0, legacyLogprobs: legacy)
    }

    /// Bounds the shared fields and builds the request.
    private static func request(
        _ common: CommonFields, prompt: CompletionPrompt, requestID: UInt64, limits: InferenceLimits,
        logprobs: Bool, topLogprobs: Int, legacyLogprobs: Int?
    ) throws(APIError) -> OpenAIRequest {
        guard let model = common.model, !model.isEmpty else { throw missing("model") }
        if let n = common.n, n != 1 { throw invalid("n", "is \(n); only 1 choice per request is supported") }
        let maxTokensName = common.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens"
        let maxTokens = common.maxCompletionTokens ?? common.maxTokens
        if let maxTokens, !(1...limits.maxTokensMax).contains(maxTokens) {
            throw invalid(maxTokensName, "is \(maxTokens); use 1…\(limits.maxTokensMax)")
        }
        let temperature = common.temperature ?? 1
        guard temperature.isFinite, (0...InferenceLimits.temperatureMax).contains(temperature) else {
            throw invalid("temperature", "is \(temperature); use 0…\(InferenceLimits.temperatureMax)")
        }
        let topP = common.topP ?? 1
        guard topP.isFinite, topP > 0, topP <= 1 else { throw invalid("top_p", "is \(topP); use a value in (0, 1]") }
        let stop = common.stop?.sequences ?? []
        guard stop.count <= InferenceLimits.stopSequencesMax else {
            throw invalid("stop", "holds \(stop.count) sequences; at most \(InferenceLimits.stopSequencesMax)")
        }
        for sequence in stop where sequence.isEmpty || sequence.utf8.count > InferenceLimits.stopSequenceBytesMax {
            throw invalid("stop",
                          "holds one of \(sequence.utf8.count) bytes; use 1…\(InferenceLimits.stopSequenceBytesMax)")
        }
        let job = CompletionJob(
            requestID: requestID, model: model, prompt: prompt, maxTokens: maxTokens, temperature: temperature,
            topP: topP, seed: common.seed?.value, stop: stop, logprobs: logprobs, topLogprobs: topLogprobs)
        return OpenAIRequest(job: job, stream: common.stream ?? false,
                             includeUsage: common.streamOptions?.includeUsage ?? false, legacyLogprobs: legacyLogprobs)
    }

    /// Decodes `body` as `T`, turning a decoding failure into a 400 naming the parameter.
    private static func decode<T: Decodable>(_ body: [UInt8]) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw explain(error)
        } catch {
            throw .invalidRequest("the body is not JSON: \(error)", code: "invalid_json")
        }
    }

    static func explain(_ error: DecodingError) -> APIError {
        switch error {
        case .typeMismatch(let type, let context):
            return invalid(path(context.codingPath), "has the wrong type; expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return invalid(path(context.codingPath), "is null; expected \(describe(type))")
        case .keyNotFound(let key, let context):
            return missing(path(context.codingPath + [key]))
        case .dataCorrupted(let context):
            guard !context.codingPath.isEmpty else {
                return .invalidRequest("the body is not valid JSON; send a JSON object", code: "invalid_json")
            }
            return invalid(path(context.codingPath), context.debugDescription)
        @unknown default:
            return .invalidRequest("the body cannot be read: \(error)", code: "invalid_json")
        }
    }

    /// `messages[2].content` from a coding path.
    static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "body" : text
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Double.Type: "a number"
        default: "\(type)"
        }
    }

    static func invalid(_ param: String, _ reason: String) -> APIError {
        APIError(message: "parameter '\(param)' \(reason)", type: APIError.invalidRequestType,
                 code: "invalid_value", param: param)
    }

    static func missing(_ param: String) -> APIError {
        APIError(message: "missing required parameter '\(param)'", type: APIError.invalidRequestType,
                 code: "missing_required_parameter", param: param)
    }
}
