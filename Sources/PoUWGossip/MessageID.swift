public import PoUWCore
public import PoUWWire
import PoUWCrypto

/// The id of a gossip message: BLAKE2b-256 of the topic byte followed by the data. Content-addressed,
/// so every node computes the same id without trusting the sender, and a message republished by
/// anyone is recognised as the same message.
public struct MessageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let hash: Hash32

    public init(_ hash: Hash32) { self.hash = hash }

    /// The id of `data` published on `topic`.
    public init(topic: GossipTopic, data: [UInt8]) {
        var hasher = Blake2b256.Hasher()
        hasher.update(CollectionOfOne(topic.rawValue))
        hasher.update(data)
        hash = hasher.finalize()
    }

    public static func < (lhs: MessageID, rhs: MessageID) -> Bool { lhs.hash < rhs.hash }
    public var description: String { hash.description }
}

extension MessageID: WireCodable {
    public static var encodedBytesMin: Int { Hash32.byteCount }

    public func encode(to encoder: inout WireEncoder) { encoder.write(hash) }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        self.init(try decoder.read(Hash32.self))
    }
}
