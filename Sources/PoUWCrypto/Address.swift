/// Account addresses: 20 bytes derived from a public key, written as checksummed Bech32m text.
public import PoUWCore

/// An account address.
///
/// Bytes: the first 20 bytes of BLAKE2b-256("pouw/address/v1" || public key).
/// Text: Bech32m (BIP-350) with prefix "pouw" over the 20 bytes regrouped into 32 five-bit values,
/// so every address is "pouw1" followed by 38 characters (43 in all); RFC 8032 TEST 1's key has
/// `pouw1jz7vt6wzlqqkw5l0qeyt2e2w3vx00v5elgzhtn`. Parsing accepts all-lower or all-upper case.
public struct Address: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 20
    /// The Bech32m human-readable prefix.
    public static let prefix = "pouw"
    /// Length of the text form, in characters: prefix, "1", 32 data and 6 checksum characters.
    public static let textCharacters = 43

    private static let derivationTag = Array("pouw/address/v1".utf8)

    public let bytes: [UInt8]

    /// - Precondition: `bytes.count == Address.byteCount`.
    public init(bytes: [UInt8]) {
        precondition(bytes.count == Address.byteCount, "an address is 20 bytes, got \(bytes.count)")
        self.bytes = bytes
    }

    /// The address of `publicKey`. Does not validate the key; keys are validated where they enter
    /// (signature verification, transaction admission).
    public init(publicKey: PublicKey) {
        let digest = Blake2b256.hash(Address.derivationTag + publicKey.bytes)
        self.init(bytes: Array(digest.bytes.prefix(Address.byteCount)))
    }

    /// Parses the text form.
    /// - Throws: `AddressError`: the Bech32m errors of `Bech32m.decode`, then `.wrongPrefix` for a
    ///   prefix other than "pouw", then `.wrongLength` for a valid string of the wrong size.
    public init(text: String) throws(AddressError) {
        let (hrp, data) = try Bech32m.decode(text)
        guard hrp == Address.prefix else { throw .wrongPrefix(hrp) }
        guard text.utf8.count == Address.textCharacters,
              let bytes = Bech32m.regroup(data, fromBits: 5, toBits: 8, pad: false),
              bytes.count == Address.byteCount
        else { throw .wrongLength(characters: text.count) }
        self.init(bytes: bytes)
    }

    /// The lower-case text form.
    public var description: String {
        let data = Bech32m.regroup(bytes, fromBits: 8, toBits: 5, pad: true)!
        return Bech32m.encode(hrp: Address.prefix, data: data)
    }
}

/// Why a text is not an address (or not Bech32m at all).
public enum AddressError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongLength(characters: Int)
    /// Byte `position` of the UTF-8 text is not printable ASCII or not in the Bech32m alphabet.
    case invalidCharacter(position: Int)
    case mixedCase
    case missingSeparator
    case emptyPrefix
    case badChecksum
    case wrongPrefix(String)

    public var description: String {
        let hint = "an address is \"\(Address.prefix)1\" and 38 more characters; copy it again from its source"
        return switch self {
        case .wrongLength(let characters):
            "address has \(characters) characters, expected \(Address.textCharacters): \(hint)"
        case .invalidCharacter(let position): "address has an invalid character at position \(position): \(hint)"
        case .mixedCase: "address mixes upper and lower case: write it all in lower case"
        case .missingSeparator: "address has no \"1\" separator: \(hint)"
        case .emptyPrefix: "address has nothing before its \"1\" separator: \(hint)"
        case .badChecksum: "address checksum does not match (a mistyped character?): \(hint)"
        case .wrongPrefix(let hrp):
            "address prefix is \"\(hrp)\", expected \"\(Address.prefix)\": this is not a pouw address"
        }
    }
}
