/// Builds the answer documents of one completion request: the whole answer, or the server-sent events of a
/// stream (chat: a first delta with the role, one delta per token, a last one with `finish_reason`, an
/// optional usage chunk, then `data: [DONE]`).
import Foundation
import NIOCore

struct OpenAIAnswer {
    enum Kind: Sendable {
        /// `/v1/chat/completions`.
        case chat
        /// `/v1/completions`.
        case text
    }

    let kind: Kind
    let id: String
    let created: Int
    let model: String
    let request: OpenAIRequest
    /// Characters streamed so far (legacy `text_offset`).
    private var streamedCharacters = 0
    /// The sampler seed every chunk reports.
    private var seed: UInt64 { request.job.resolvedSeed }

    init(kind: Kind, requestID: UInt64, created: Int, model: String, request: OpenAIRequest) {
        self.kind = kind
        let hex = String(requestID, radix: 16)
        let prefix = kind == .chat ? "chatcmpl-" : "cmpl-"
        id = prefix + String(repeating: "0", count: 16 - hex.count) + hex
        self.created = created
        self.model = model
        self.request = request
    }

    /// The non-streamed answer.
    func whole(_ result: CompletionResult) -> any Encodable {
        switch kind {
        case .chat:
            let logprobs = result.logprobs.map { ChatLogprobsView(content: $0.map(TokenLogprobView.init)) }
            let choice = ChatChoiceView(
                index: 0, message: ChatMessageView(role: "assistant", content: result.text), delta: nil,
                logprobs: logprobs, finishReason: result.finishReason)
            return ChatCompletionView(id: id, object: "chat.completion", created: created, model: model,
                                      choices: [choice], usage: UsageView(result), pouwSeed: result.seed)
        case .text:
            let logprobs = result.logprobs.map {
                LegacyLogprobsView($0, startOffset: 0, withTop: (request.legacyLogprobs ?? 0) > 0)
            }
            let choice = TextChoiceView(text: result.text, index: 0, logprobs: logprobs,
                                        finishReason: result.finishReason)
            return TextCompletionView(id: id, object: "text_completion", created: created, model: model,
                                      choices: [choice], usage: UsageView(result), pouwSeed: result.seed)
        }
    }

    /// Events before the first token: the chat role delta.
    func opening() -> [ByteBuffer] {
        guard kind == .chat else { return [] }
        return [chatChunk(ChatMessageView(role: "assistant", content: ""), logprobs: nil, finish: nil, seed: seed)]
    }

    /// The event of one token, or `nil` when it carries neither text nor a log-probability.
    mutating func chunk(_ token: TokenEvent) -> ByteBuffer? {
        guard !token.text.isEmpty || token.logprob != nil else { return nil }
        switch kind {
        case .chat:
            let logprobs = token.logprob.map { ChatLogprobsView(content: [TokenLogprobView($0)]) }
            return chatChunk(ChatMessageView(role: nil, content: token.text), logprobs: logprobs, finish: nil,
                             seed: seed)
        case .text:
            let logprobs = token.logprob.map {
                LegacyLogprobsView([$0], startOffset: streamedCharacters, withTop: (request.legacyLogprobs ?? 0) > 0)
            }
            streamedCharacters += token.text.count
            return textChunk(TextChoiceView(text: token.text, index: 0, logprobs: logprobs, finishReason: nil),
                             usage: nil, seed: seed)
        }
    }

    /// The last events: the finish reason, the usage (when asked for), `[DONE]`.
    func closing(_ result: CompletionResult) -> [ByteBuffer] {
        var events: [ByteBuffer] = []
        let usage = UsageView(result)
        switch kind {
        case .chat:
            events.append(chatChunk(ChatMessageView(role: nil, content: nil), logprobs: nil,
                                    finish: result.finishReason, seed: result.seed))
            if request.includeUsage {
                events.append(Self.event(ChatCompletionView(
                    id: id, object: "chat.completion.chunk", created: created, model: model, choices: [],
                    usage: usage, pouwSeed: result.seed)))
            }
        case .text:
            events.append(textChunk(TextChoiceView(text: "", index: 0, logprobs: nil,
                                                   finishReason: result.finishReason),
                                    usage: nil, seed: result.seed))
            if request.includeUsage {
                events.append(Self.event(TextCompletionView(
                    id: id, object: "text_completion", created: created, model: model, choices: [], usage: usage,
                    pouwSeed: result.seed)))
            }
        }
        events.append(ByteBuffer(string: "data: [DONE]\n\n"))
        return events
    }

    private func chatChunk(
        _ delta: ChatMessageView, logprobs: ChatLogprobsView?, finish: CompletionFinishReason?, seed: UInt64
    ) -> ByteBuffer {
        let choice = ChatChoiceView(index: 0, message: nil, delta: delta, logprobs: logprobs, finishReason: finish)
        return Self.event(ChatCompletionView(id: id, object: "chat.completion.chunk", created: created, model: model,
                                             choices: [choice], usage: nil, pouwSeed: seed))
    }

    private func textChunk(_ choice: TextChoiceView, usage: UsageView?, seed: UInt64) -> ByteBuffer {
        Self.event(TextCompletionView(id: id, object: "text_completion", created: created, model: model,
                                      choices: [choice], usage: usage, pouwSeed: seed))
    }

    /// `data: {json}\n\n`. The documents are plain values; encoding them cannot fail.
    static func event(_ value: some Encodable) -> ByteBuffer {
        guard let data = try? APIRoutes.encoder.encode(value) else {
            preconditionFailure("an answer document failed to encode")
        }
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}
