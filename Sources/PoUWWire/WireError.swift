import PoUWCore

/// Why a byte string is not the canonical encoding of the value it was decoded as. Every decoding
/// failure is one of these; the decoder never traps on input data.
public enum WireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended early: `needed` more bytes were required, only `remaining` were left.
    case truncated(needed: Int, remaining: Int)
    /// A varint has more than 64 bits of value (more than 10 groups, or a 10th group above 0x01).
    case varintOverflow
    /// A varint ends with a 0x00 group after the first: a shorter encoding of the same value exists.
    case nonCanonicalVarint
    /// A length or count in `field` is `actual`, above the field's maximum `max`.
    case lengthExceeded(field: String, max: Int, actual: UInt64)
    /// The bytes of the string `field` are not valid UTF-8.
    case invalidUTF8(field: String)
    /// A bool byte other than 0x00 or 0x01.
    case invalidBool(byte: UInt8)
    /// `raw` is not the raw value of any case of the enum `type`.
    case invalidEnum(type: String, raw: UInt64)
    /// The value ended `count` bytes before the input did.
    case trailingBytes(count: Int)
    /// The leading version byte is `got`; this build speaks only `supported`.
    case unsupportedVersion(got: UInt8, supported: UInt8)
    /// `field` was decoded but breaks an invariant of its type, explained by `reason`.
    case invalidValue(field: String, reason: String)

    public var description: String {
        switch self {
        case let .truncated(needed, remaining):
            "wire: input truncated: needed \(needed) more bytes but only \(remaining) remain; "
                + "the message was cut short or a length field claims more than was sent"
        case .varintOverflow:
            "wire: varint overflow: a length or count has more than 64 bits of value; the input is corrupt"
        case .nonCanonicalVarint:
            "wire: non-canonical varint: a length or count is not in its minimal form (trailing 0x00 group); "
                + "the sender must use the canonical encoding"
        case let .lengthExceeded(field, max, actual):
            "wire: \(field) has length \(actual), above its maximum of \(max); the sender exceeds the protocol limits"
        case let .invalidUTF8(field):
            "wire: \(field) is not valid UTF-8; strings on the wire must be well-formed UTF-8"
        case let .invalidBool(byte):
            "wire: invalid bool byte 0x\(Hex.encode([byte])); only 0x00 (false) and 0x01 (true) are allowed"
        case let .invalidEnum(type, raw):
            "wire: \(raw) is not a known \(type); the sender may speak a newer protocol version"
        case let .trailingBytes(count):
            "wire: \(count) trailing bytes after the encoded value; a message must be consumed entirely"
        case let .unsupportedVersion(got, supported):
            "wire: unsupported encoding version \(got) (this node speaks version \(supported)); "
                + "upgrade whichever side is older"
        case let .invalidValue(field, reason):
            "wire: invalid \(field): \(reason)"
        }
    }
}
