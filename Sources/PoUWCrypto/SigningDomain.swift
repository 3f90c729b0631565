/// What exactly an identity signs: domain separation for every protocol signature.
///
/// Layout of the signed bytes (all lengths in bytes):
///
///     offset   size  field
///     0        11    tag, the ASCII text "pouw/sig/v1" (no terminator)
///     11       1     n, the chain id's length in UTF-8 bytes, 1 ... Limits.chainIdBytesMax (64)
///     12       n     the chain id, UTF-8
///     12+n     2     the MessageKind's raw value, UInt16 little-endian
///     14+n     rest  the payload, verbatim
///
/// Every field before the payload has a fixed size or a length prefix, so two different
/// (chain id, kind, payload) triples never give the same bytes: a signature made for one chain or
/// one kind of message cannot be replayed as another. The tag keeps these bytes apart from
/// anything else the same key signs (raw signatures in handshakes carry their own transcripts).
/// A new layout gets a new tag ("pouw/sig/v2").
public import PoUWCore

public enum SigningDomain {
    /// The first bytes of every domain-separated signed message.
    public static let tag: [UInt8] = Array("pouw/sig/v1".utf8)

    /// The bytes that `KeyPair.sign(payload:kind:chainId:)` signs.
    /// - Precondition: `chainId` is 1 ... `Limits.chainIdBytesMax` bytes of UTF-8 (the node's own
    ///   chain id, validated when the configuration was read).
    public static func signedBytes(payload: some Collection<UInt8>, kind: MessageKind, chainId: String) -> [UInt8] {
        let chain = Array(chainId.utf8)
        precondition(!chain.isEmpty && chain.count <= Limits.chainIdBytesMax,
                     "chain id must be 1...\(Limits.chainIdBytesMax) bytes, got \(chain.count)")
        var bytes = [UInt8]()
        bytes.reserveCapacity(tag.count + 1 + chain.count + 2 + payload.count)
        bytes.append(contentsOf: tag)
        bytes.append(UInt8(chain.count))
        bytes.append(contentsOf: chain)
        bytes.append(UInt8(truncatingIfNeeded: kind.rawValue))
        bytes.append(UInt8(truncatingIfNeeded: kind.rawValue >> 8))
        bytes.append(contentsOf: payload)
        return bytes
    }
}
