/// Fixed-size byte strings of the protocol and hex helpers. Pure: no IO, no clock, no randomness.

/// A 32-byte digest (BLAKE2b-256 or SHA-256, the context says which).
public struct Hash32: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    /// - Precondition: `bytes.count == 32`.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == Hash32.byteCount, "Hash32 needs 32 bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    public static let zero = Hash32([UInt8](repeating: 0, count: 32))

    public static func < (lhs: Hash32, rhs: Hash32) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
    public var description: String { Hex.encode(bytes) }
}

/// An Ed25519 public key (32 bytes, compressed Edwards point). Validity is checked by PoUWCrypto.
public struct PublicKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    /// - Precondition: `bytes.count == 32`.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == PublicKey.byteCount, "PublicKey needs 32 bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    public static func < (lhs: PublicKey, rhs: PublicKey) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
    public var description: String { Hex.encode(bytes) }
}

/// An Ed25519 signature (64 bytes).
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 64
    public let bytes: [UInt8]

    /// - Precondition: `bytes.count == 64`.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == Signature.byteCount, "Signature needs 64 bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    public var description: String { Hex.encode(bytes) }
}

/// Lower-case hexadecimal, the text form of every byte string in logs, config and JSON.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes upper- or lower-case hex; `nil` on odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
