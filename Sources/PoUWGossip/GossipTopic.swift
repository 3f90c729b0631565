public import PoUWWire

/// The gossip topics: one per kind of message that floods the network. A closed set, so a topic
/// on the wire is one byte and an unknown byte is a malformed message, never a new topic.
public enum GossipTopic: UInt8, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    /// Block proposals.
    case proposals = 1
    /// Consensus votes.
    case votes = 2
    /// Transactions for the mempool.
    case transactions = 3
    /// Receipts of served work.
    case receipts = 4
    /// Verdicts on checked work.
    case verdicts = 5

    /// How many topics exist.
    public static let count = allCases.count

    /// The position of the topic in `allCases`, for per-topic arrays.
    var index: Int { Int(rawValue) - 1 }

    public static func < (lhs: GossipTopic, rhs: GossipTopic) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .proposals: "proposals"
        case .votes: "votes"
        case .transactions: "transactions"
        case .receipts: "receipts"
        case .verdicts: "verdicts"
        }
    }
}

extension GossipTopic: WireCodable {
    public static var encodedBytesMin: Int { MemoryLayout<RawValue>.size }

    public func encode(to encoder: inout WireEncoder) { encoder.writeEnum(self) }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        self = try decoder.readEnum(GossipTopic.self)
    }
}
