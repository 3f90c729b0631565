/// Why a GGUF file could not be loaded as a model. Messages say what is wrong and what to check.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The GGUF file itself was rejected.
    case file(GGUFError)
    /// `general.architecture` is not one this engine runs.
    case unsupportedArchitecture(String)
    /// A required metadata key is absent or has the wrong type.
    case missingMetadata(key: String)
    /// Hyperparameters that cannot describe a working model.
    case invalidConfig(String)
    /// A required tensor is absent.
    case missingTensor(String)
    /// A tensor has another shape than the metadata implies.
    case tensorShape(tensor: String, expected: [Int], actual: [Int])
    /// A tensor stored in a type the kernels do not multiply with.
    case unsupportedTensorType(tensor: String, type: String)

    public var description: String {
        switch self {
        case let .file(error):
            return "\(error)"
        case let .unsupportedArchitecture(name):
            return "model architecture \"\(name)\" is not supported; use a GGUF of the llama family"
        case let .missingMetadata(key):
            return "GGUF metadata key \(key) is missing or has the wrong type; the file is not a complete llama model"
        case let .invalidConfig(reason):
            return "model hyperparameters are inconsistent: \(reason)"
        case let .missingTensor(name):
            return "tensor \(name) is missing from the GGUF file; the file is incomplete or another architecture"
        case let .tensorShape(tensor, expected, actual):
            return "tensor \(tensor) has shape \(actual), expected \(expected) from the metadata"
        case let .unsupportedTensorType(tensor, type):
            return "tensor \(tensor) is stored as \(type); supported matrix types are F32, F16, Q4_0, Q4_1, Q8_0"
        }
    }
}

/// Why an inference call was refused. Nothing was computed or appended when one is thrown.
public enum InferenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The sequence would exceed its cache: `needed` positions, `capacity` available.
    case sequenceTooLong(capacity: Int, needed: Int)
    /// A cache larger than the model's context or the engine's bound was requested.
    case cacheTooLarge(requested: Int, maximum: Int)
    /// A token id outside the vocabulary.
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    /// No tokens were given.
    case emptyInput
    /// More sequences in one decode step than the engine's batch bound.
    case tooManySequences(count: Int, maximum: Int)

    public var description: String {
        switch self {
        case let .sequenceTooLong(capacity, needed):
            return "sequence needs \(needed) positions but its cache holds \(capacity); "
                + "use a larger cache or a shorter prompt"
        case let .cacheTooLarge(requested, maximum):
            return "cache of \(requested) positions requested; at most \(maximum) are supported"
        case let .tokenOutOfRange(token, vocabularySize):
            return "token id \(token) is outside the vocabulary 0..<\(vocabularySize)"
        case .emptyInput:
            return "no tokens to process"
        case let .tooManySequences(count, maximum):
            return "\(count) sequences in one decode step; at most \(maximum); split the batch"
        }
    }
}
