import PoUWCore

/// Hard bounds of the gossip wire format, named with their units. A peer that exceeds one sends a
/// malformed RPC. Tunable behaviour (mesh degrees, cache sizes, caps per heartbeat) is `GossipConfig`.
public enum GossipLimits {
    /// Largest data of one gossip message, in bytes: a maximal signed envelope and its header.
    public static let messageDataBytesMax = Limits.envelopePayloadBytesMax + 4096
    /// Most subscription changes in one RPC.
    public static let subscriptionsPerRPCMax = 32
    /// Most messages in one RPC.
    public static let messagesPerRPCMax = 512
    /// Most IHAVE entries in one RPC.
    public static let ihavesPerRPCMax = 32
    /// Most IWANT entries in one RPC.
    public static let iwantsPerRPCMax = 32
    /// Most message ids in one IHAVE or IWANT entry.
    public static let idsPerControlMax = 5000
    /// Most GRAFT entries in one RPC.
    public static let graftsPerRPCMax = 32
    /// Most PRUNE entries in one RPC.
    public static let prunesPerRPCMax = 32
    /// Most signed peer records in the peer exchange list of one PRUNE.
    public static let peerExchangeRecordsMax = 16
    /// Largest payload of one peer-exchange record (an encoded `PeerRecord`), in bytes.
    public static let peerRecordPayloadBytesMax = 4096
    /// Longest backoff a PRUNE may ask for, in seconds.
    public static let pruneBackoffSecondsMax: UInt32 = 3600

    /// Preconditions on how the limits relate to one another and to `PoUWCore.Limits`.
    public static func check() {
        precondition(messageDataBytesMax + 1024 <= Limits.frameBytesMax, "one maximal message must fit in a frame")
        precondition(peerRecordPayloadBytesMax <= Limits.envelopePayloadBytesMax)
        precondition(idsPerControlMax * 32 * max(ihavesPerRPCMax, iwantsPerRPCMax) < Limits.frameBytesMax)
        precondition(GossipTopic.count <= min(graftsPerRPCMax, prunesPerRPCMax, ihavesPerRPCMax))
        precondition(pruneBackoffSecondsMax > 0)
    }
}
