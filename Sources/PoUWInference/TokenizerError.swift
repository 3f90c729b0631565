/// Why a tokenizer could not be built from GGUF metadata.
public enum TokenizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A required metadata key is absent or has the wrong type.
    case missingMetadata(key: String, expected: String)
    /// `tokenizer.ggml.model` names a tokenizer family other than byte-level BPE (`gpt2`).
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer this implementation does not reproduce.
    case unsupportedPreTokenizer(String)
    /// The vocabulary is empty, too large, has mismatched token types, or spells no single byte.
    case invalidVocabulary(String)
    /// A special token id (bos, eos, ...) is outside the vocabulary.
    case invalidTokenID(key: String, id: Int)

    public var description: String {
        switch self {
        case let .missingMetadata(key, expected):
            return "GGUF metadata \(key) is missing or is not \(expected); the model file lacks a tokenizer"
        case let .unsupportedModel(model):
            return "tokenizer model \"\(model)\" is not supported; only byte-level BPE (\"gpt2\") is"
        case let .unsupportedPreTokenizer(pre):
            return "pre-tokenizer \"\(pre)\" is not supported; supported: \(PreTokenizer.supportedNames.sorted())"
        case let .invalidVocabulary(reason):
            return "invalid vocabulary: \(reason)"
        case let .invalidTokenID(key, id):
            return "\(key) is \(id), outside the vocabulary"
        }
    }
}
