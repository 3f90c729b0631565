/// One chat message.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Why a chat template could not be used.
public enum ChatTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model has no `tokenizer.chat_template`.
    case missing
    /// The template is not one this engine renders.
    case unrecognized(prefix: String)

    public var description: String {
        switch self {
        case .missing:
            return "the model has no tokenizer.chat_template; pass a prompt that is already formatted"
        case let .unrecognized(prefix):
            return "unrecognized chat template (starts \(prefix.debugDescription)); only ChatML templates "
                + "(<|im_start|>role\\ncontent<|im_end|>\\n, optionally with a default system prompt) are supported"
        }
    }
}

/// A chat template the engine renders natively, recognised from the Jinja source in
/// `tokenizer.chat_template` (no Jinja interpreter: the source must match a known template exactly).
///
/// ChatML renders each message as `<|im_start|>{role}\n{content}<|im_end|>\n`; when the first message
/// is not a system message and the template carries a default system prompt, a system message with
/// that prompt comes first; the generation prompt is `<|im_start|>assistant\n`.
public enum ChatTemplate: Sendable, Equatable {
    case chatML(defaultSystemPrompt: String?)

    static let start = "<|im_start|>"
    static let end = "<|im_end|>"

    /// Jinja source of ChatML with a default system prompt, split around the prompt.
    static let defaultSystemHead =
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
        + "{{ '<|im_start|>system\n"
    static let defaultSystemTail = "<|im_end|>\n' }}{% endif %}"
    /// Jinja source of the ChatML message loop and generation prompt.
    static let chatMLBody =
        "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
    static let plainChatML = "{% for message in messages %}" + chatMLBody

    /// Recognises the template of a model.
    public init(gguf file: GGUFFile) throws(ChatTemplateError) {
        guard let source = file.metadata["tokenizer.chat_template"]?.string else { throw .missing }
        try self.init(source: source)
    }

    /// Recognises a Jinja template source.
    public init(source: String) throws(ChatTemplateError) {
        // Compared byte for byte (String equality would accept canonically equivalent text).
        let bytes = Array(source.utf8)
        if bytes.elementsEqual(Self.plainChatML.utf8) {
            self = .chatML(defaultSystemPrompt: nil)
            return
        }
        let head = Array(Self.defaultSystemHead.utf8)
        let tail = Array((Self.defaultSystemTail + Self.chatMLBody).utf8)
        if bytes.count >= head.count + tail.count && bytes.starts(with: head)
            && bytes.suffix(tail.count).elementsEqual(tail)
        {
            let prompt = String(decoding: bytes[head.count..<(bytes.count - tail.count)], as: UTF8.self)
            // The prompt sits inside a single-quoted Jinja literal: no quotes or backslashes to unescape.
            if !prompt.contains("'") && !prompt.contains("\\") && !prompt.contains(Self.end) {
                self = .chatML(defaultSystemPrompt: prompt)
                return
            }
        }
        throw .unrecognized(prefix: String(source.prefix(80)))
    }

    /// The prompt as text, exactly as the Jinja template renders it.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var text = ""
        for piece in pieces(messages, addGenerationPrompt: addGenerationPrompt) {
            switch piece {
            case let .text(content), let .special(content): text += content
            }
        }
        return text
    }

    /// The prompt as pieces: the template's own special tokens apart from message text, so that
    /// `Tokenizer.encode(pieces:)` never turns special-token text inside a message into control tokens.
    public func pieces(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> [TokenizerPiece] {
        switch self {
        case let .chatML(defaultSystemPrompt):
            var out: [TokenizerPiece] = []
            if let defaultSystemPrompt, let first = messages.first, first.role != "system" {
                Self.appendChatML(ChatMessage(role: "system", content: defaultSystemPrompt), to: &out)
            }
            for message in messages { Self.appendChatML(message, to: &out) }
            if addGenerationPrompt {
                out.append(.special(Self.start))
                out.append(.text("assistant\n"))
            }
            return out
        }
    }

    private static func appendChatML(_ message: ChatMessage, to out: inout [TokenizerPiece]) {
        out.append(.special(start))
        out.append(.text(message.role + "\n" + message.content))
        out.append(.special(end))
        out.append(.text("\n"))
    }
}
