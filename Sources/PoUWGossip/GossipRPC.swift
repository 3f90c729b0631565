// The gossip RPC: everything one peer sends another in one frame (after gossipsub v1.1's RPC, in
// the canonical encoding of docs/wire.md; the payload of a `Wire.encode` message).
//
//   GossipRPC      subscriptions array<Subscription> (count <= subscriptionsPerRPCMax)
//                  messages      array<Message>      (count <= messagesPerRPCMax)
//                  ihave         array<IHave>        (count <= ihavesPerRPCMax)
//                  iwant         array<IWant>        (count <= iwantsPerRPCMax)
//                  graft         array<Graft>        (count <= graftsPerRPCMax)
//                  prune         array<Prune>        (count <= prunesPerRPCMax)
//   Subscription   topic u8, subscribe bool
//   Message        topic u8, data bytes (<= messageDataBytesMax)
//   IHave          topic u8, ids array<Hash32> (count <= idsPerControlMax)
//   IWant          ids array<Hash32> (count <= idsPerControlMax)
//   Graft          topic u8
//   Prune          topic u8, backoffSeconds u32 (<= pruneBackoffSecondsMax),
//                  peers array<SignedEnvelope> (count <= peerExchangeRecordsMax; each of kind
//                  peerRecord with a payload <= peerRecordPayloadBytesMax)
//
// Topics: 1 proposals, 2 votes, 3 transactions, 4 receipts, 5 verdicts; any other byte is invalid.
// A message carries no id, origin or sequence number: its id is BLAKE2b-256(topic u8 ‖ data), which
// every receiver computes itself (`MessageID`), and the data is signed at the application layer.

public import PoUWCore
public import PoUWWire

/// One frame of the gossip protocol: subscription changes, published messages and control.
public struct GossipRPC: Hashable, Sendable {
    public var subscriptions: [Subscription]
    public var messages: [Message]
    public var ihave: [IHave]
    public var iwant: [IWant]
    public var graft: [Graft]
    public var prune: [Prune]

    public init(
        subscriptions: [Subscription] = [], messages: [Message] = [], ihave: [IHave] = [], iwant: [IWant] = [],
        graft: [Graft] = [], prune: [Prune] = []
    ) {
        self.subscriptions = subscriptions
        self.messages = messages
        self.ihave = ihave
        self.iwant = iwant
        self.graft = graft
        self.prune = prune
    }

    /// The sender joined (`subscribe`) or left a topic.
    public struct Subscription: Hashable, Sendable {
        public var topic: GossipTopic
        public var subscribe: Bool

        public init(topic: GossipTopic, subscribe: Bool) {
            self.topic = topic
            self.subscribe = subscribe
        }
    }

    /// A published message.
    public struct Message: Hashable, Sendable {
        public var topic: GossipTopic
        public var data: [UInt8]

        public init(topic: GossipTopic, data: [UInt8]) {
            self.topic = topic
            self.data = data
        }

        /// The message's content id.
        public var id: MessageID { MessageID(topic: topic, data: data) }
    }

    /// "I have these messages of `topic` in my cache."
    public struct IHave: Hashable, Sendable {
        public var topic: GossipTopic
        public var ids: [MessageID]

        public init(topic: GossipTopic, ids: [MessageID]) {
            self.topic = topic
            self.ids = ids
        }
    }

    /// "Send me these messages."
    public struct IWant: Hashable, Sendable {
        public var ids: [MessageID]

        public init(ids: [MessageID]) { self.ids = ids }
    }

    /// "Add me to your mesh for `topic`."
    public struct Graft: Hashable, Sendable {
        public var topic: GossipTopic

        public init(topic: GossipTopic) { self.topic = topic }
    }

    /// "I removed you from my mesh for `topic`; do not graft again for `backoffSeconds`." `peers` are
    /// signed records of other peers of the topic (peer exchange), for the pruned peer to dial.
    public struct Prune: Hashable, Sendable {
        public var topic: GossipTopic
        public var backoffSeconds: UInt32
        public var peers: [SignedEnvelope]

        public init(topic: GossipTopic, backoffSeconds: UInt32, peers: [SignedEnvelope] = []) {
            self.topic = topic
            self.backoffSeconds = backoffSeconds
            self.peers = peers
        }
    }

    /// True when the RPC carries nothing.
    public var isEmpty: Bool {
        subscriptions.isEmpty && messages.isEmpty && ihave.isEmpty && iwant.isEmpty && graft.isEmpty && prune.isEmpty
    }
}

extension GossipRPC: WireCodable {
    public static var encodedBytesMin: Int { 6 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeArray(subscriptions, field: "GossipRPC.subscriptions", max: GossipLimits.subscriptionsPerRPCMax)
        encoder.writeArray(messages, field: "GossipRPC.messages", max: GossipLimits.messagesPerRPCMax)
        encoder.writeArray(ihave, field: "GossipRPC.ihave", max: GossipLimits.ihavesPerRPCMax)
        encoder.writeArray(iwant, field: "GossipRPC.iwant", max: GossipLimits.iwantsPerRPCMax)
        encoder.writeArray(graft, field: "GossipRPC.graft", max: GossipLimits.graftsPerRPCMax)
        encoder.writeArray(prune, field: "GossipRPC.prune", max: GossipLimits.prunesPerRPCMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        subscriptions = try decoder.readArray(
            of: Subscription.self, field: "GossipRPC.subscriptions", max: GossipLimits.subscriptionsPerRPCMax
        )
        messages = try decoder.readArray(
            of: Message.self, field: "GossipRPC.messages", max: GossipLimits.messagesPerRPCMax
        )
        ihave = try decoder.readArray(of: IHave.self, field: "GossipRPC.ihave", max: GossipLimits.ihavesPerRPCMax)
        iwant = try decoder.readArray(of: IWant.self, field: "GossipRPC.iwant", max: GossipLimits.iwantsPerRPCMax)
        graft = try decoder.readArray(of: Graft.self, field: "GossipRPC.graft", max: GossipLimits.graftsPerRPCMax)
        prune = try decoder.readArray(of: Prune.self, field: "GossipRPC.prune", max: GossipLimits.prunesPerRPCMax)
    }
}

extension GossipRPC.Subscription: WireCodable {
    public static var encodedBytesMin: Int { 2 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(topic)
        encoder.writeBool(subscribe)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        topic = try decoder.read(GossipTopic.self)
        subscribe = try decoder.readBool()
    }
}

extension GossipRPC.Message: WireCodable {
    public static var encodedBytesMin: Int { 2 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(topic)
        encoder.writeBytes(data, field: "GossipRPC.Message.data", max: GossipLimits.messageDataBytesMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        topic = try decoder.read(GossipTopic.self)
        data = try decoder.readBytes(field: "GossipRPC.Message.data", max: GossipLimits.messageDataBytesMax)
    }
}

extension GossipRPC.IHave: WireCodable {
    public static var encodedBytesMin: Int { 2 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(topic)
        encoder.writeArray(ids, field: "GossipRPC.IHave.ids", max: GossipLimits.idsPerControlMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        topic = try decoder.read(GossipTopic.self)
        ids = try decoder.readArray(
            of: MessageID.self, field: "GossipRPC.IHave.ids", max: GossipLimits.idsPerControlMax
        )
    }
}

extension GossipRPC.IWant: WireCodable {
    public static var encodedBytesMin: Int { 1 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeArray(ids, field: "GossipRPC.IWant.ids", max: GossipLimits.idsPerControlMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        ids = try decoder.readArray(
            of: MessageID.self, field: "GossipRPC.IWant.ids", max: GossipLimits.idsPerControlMax
        )
    }
}

extension GossipRPC.Graft: WireCodable {
    public static var encodedBytesMin: Int { 1 }

    public func encode(to encoder: inout WireEncoder) { encoder.write(topic) }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        topic = try decoder.read(GossipTopic.self)
    }
}

extension GossipRPC.Prune: WireCodable {
    public static var encodedBytesMin: Int { 1 + 4 + 1 }

    public func encode(to encoder: inout WireEncoder) {
        precondition(
            backoffSeconds <= GossipLimits.pruneBackoffSecondsMax,
            "PRUNE backoff \(backoffSeconds) s is above pruneBackoffSecondsMax \(GossipLimits.pruneBackoffSecondsMax)"
        )
        for record in peers {
            if let reason = Self.recordViolation(record) { preconditionFailure("PRUNE peer record: \(reason)") }
        }
        encoder.write(topic)
        encoder.writeUInt32(backoffSeconds)
        encoder.writeArray(peers, field: "GossipRPC.Prune.peers", max: GossipLimits.peerExchangeRecordsMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        topic = try decoder.read(GossipTopic.self)
        backoffSeconds = try decoder.readUInt32()
        guard backoffSeconds <= GossipLimits.pruneBackoffSecondsMax else {
            throw .invalidValue(
                field: "GossipRPC.Prune.backoffSeconds",
                reason: "\(backoffSeconds) s is above the maximum of \(GossipLimits.pruneBackoffSecondsMax) s"
            )
        }
        peers = try decoder.readArray(
            of: SignedEnvelope.self, field: "GossipRPC.Prune.peers", max: GossipLimits.peerExchangeRecordsMax
        )
        for record in peers {
            if let reason = Self.recordViolation(record) {
                throw .invalidValue(field: "GossipRPC.Prune.peers", reason: reason)
            }
        }
    }

    /// Why `record` cannot be a peer-exchange record, or `nil` if it can: it must be a signed
    /// `PeerRecord` of bounded size. (Its signature is checked by whoever dials it, not here.)
    static func recordViolation(_ record: SignedEnvelope) -> String? {
        guard record.kind == .peerRecord else { return "a \(record.kind) envelope is not a peer record" }
        guard record.payload.count <= GossipLimits.peerRecordPayloadBytesMax else {
            return "payload of \(record.payload.count) bytes is above \(GossipLimits.peerRecordPayloadBytesMax)"
        }
        return nil
    }
}
