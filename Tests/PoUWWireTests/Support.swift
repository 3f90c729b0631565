import PoUWCore
import PoUWWire

/// Bytes from hex written by hand; spaces are ignored so golden vectors can be laid out by field.
func hex(_ parts: String...) -> [UInt8] {
    let text = parts.joined().filter { $0 != " " }
    guard let bytes = Hex.decode(text) else { preconditionFailure("bad hex in test vector: \(text)") }
    return bytes
}

/// `count` copies of the byte `byte`, as hex.
func repeated(_ byte: String, _ count: Int) -> String { String(repeating: byte, count: count) }

/// The error decoding `bytes` as a whole message of type `T` throws, or nil if it decodes.
func decodeError<T: WireCodable>(_ type: T.Type, _ bytes: [UInt8]) -> WireError? {
    do {
        _ = try Wire.decode(type, from: bytes)
        return nil
    } catch {
        return error
    }
}

/// Runs `body` with a decoder over `bytes`, returning what it read or the error it threw.
func withDecoder<R>(
    _ bytes: [UInt8], _ body: (inout WireDecoder) throws(WireError) -> R
) -> Result<R, WireError> {
    bytes.withUnsafeBytes { buffer in
        var decoder = WireDecoder(buffer)
        return Result { () throws(WireError) -> R in try body(&decoder) }
    }
}

/// The bytes a WireEncoder produces for `body`.
func encoded(_ body: (inout WireEncoder) -> Void) -> [UInt8] {
    var encoder = WireEncoder()
    body(&encoder)
    return encoder.bytes
}

enum Samples {
    static let key = PublicKey([UInt8](repeating: 0x11, count: 32))
    static let signature = Signature([UInt8](repeating: 0x22, count: 64))

    static func hash(_ byte: UInt8) -> Hash32 { Hash32([UInt8](repeating: byte, count: 32)) }

    static let envelope = SignedEnvelope(
        chainId: "pouw-test", kind: .vote, payload: [0xde, 0xad, 0xbe, 0xef], signer: key, signature: signature
    )

    static let peerRecord = PeerRecord(
        nodeKey: PublicKey([UInt8](repeating: 0x33, count: 32)),
        addresses: ["10.0.0.1:9000", "[::1]:9001"],
        sequence: 258,
        unixMilliseconds: 1_700_000_000_000
    )

    static let merkleProof = MerkleProof(leafIndex: 5, leafCount: 6, siblings: [hash(0xaa), hash(0xbb), hash(0xcc)])
}
