/// Why a GGUF file was rejected. Every message names the byte offset or the item at fault and what to
/// check; the reader throws these for any malformed input and never traps on it.
public enum GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened, inspected or mapped (`errno` from the failing call).
    case cannotOpen(path: String, operation: String, errno: Int32)
    /// The first four bytes are not `GGUF`.
    case notGGUF(magic: UInt32)
    /// A GGUF version other than 3.
    case unsupportedVersion(UInt32)
    /// The input ended before an item it declares.
    case truncated(at: Int, reading: String)
    /// A count or length is over the reader's bound (each bound is a `GGUFLimits` constant).
    case limitExceeded(what: String, value: UInt64, limit: Int, at: Int)
    /// A metadata value type id outside 0...12.
    case unknownValueType(UInt32, at: Int)
    /// A tensor type id this reader does not know.
    case unknownTensorType(UInt32, tensor: String)
    /// A string that is not valid UTF-8.
    case invalidUTF8(at: Int)
    /// A boolean byte other than 0 or 1.
    case invalidBool(UInt8, at: Int)
    /// The same metadata key twice.
    case duplicateKey(String)
    /// The same tensor name twice.
    case duplicateTensor(String)
    /// `general.alignment` is not a power of two in range, or not an integer.
    case invalidAlignment(String)
    /// A tensor whose shape is impossible (zero dimension, row length not a multiple of the block).
    case invalidTensorShape(tensor: String, reason: String)
    /// A tensor whose data does not lie inside the file or is not aligned.
    case tensorOutOfRange(tensor: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, operation, code):
            return "cannot read GGUF file \(path): \(operation) failed with errno \(code); "
                + "check the path and permissions"
        case let .notGGUF(magic):
            let hex = String(magic, radix: 16)
            return "not a GGUF file (magic 0x\(hex), expected 0x46554747 \"GGUF\"); "
                + "check that this is a .gguf model"
        case let .unsupportedVersion(version):
            return "unsupported GGUF version \(version); only version 3 is read, "
                + "convert the model with a current llama.cpp"
        case let .truncated(offset, what):
            return "truncated at byte \(offset) while reading \(what); "
                + "the file is incomplete or corrupt, download it again"
        case let .limitExceeded(what, value, limit, offset):
            return "\(what) is \(value) at byte \(offset), over the limit of \(limit); the file is corrupt or hostile"
        case let .unknownValueType(type, offset):
            return "unknown metadata value type \(type) at byte \(offset); the file is corrupt"
        case let .unknownTensorType(type, tensor):
            return "tensor \(tensor) has unknown ggml type \(type); this reader does not support that quantization"
        case let .invalidUTF8(offset):
            return "string at byte \(offset) is not valid UTF-8; the file is corrupt"
        case let .invalidBool(value, offset):
            return "boolean at byte \(offset) is \(value), expected 0 or 1; the file is corrupt"
        case let .duplicateKey(key):
            return "metadata key \(key) appears twice; the file is corrupt"
        case let .duplicateTensor(name):
            return "tensor \(name) appears twice; the file is corrupt"
        case let .invalidAlignment(reason):
            return "general.alignment \(reason); it must be a power of two between 1 and \(GGUFLimits.alignmentMax)"
        case let .invalidTensorShape(tensor, reason):
            return "tensor \(tensor) has an invalid shape: \(reason)"
        case let .tensorOutOfRange(tensor, reason):
            return "tensor \(tensor) data is out of range: \(reason); the file is truncated or corrupt"
        }
    }
}
