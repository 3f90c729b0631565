import PoUWCore
import PoUWGossip
import PoUWWire
import Testing

/// The gossip wire format: golden bytes, round trips, and a limit on every field.
@Suite struct GossipRPCTests {
    static func hex(_ parts: String...) -> [UInt8] {
        let text = parts.joined().filter { $0 != " " }
        guard let bytes = Hex.decode(text) else { preconditionFailure("bad hex in test vector: \(text)") }
        return bytes
    }

    static func id(_ byte: UInt8) -> MessageID { MessageID(Hash32([UInt8](repeating: byte, count: 32))) }

    static func error(_ bytes: [UInt8]) -> WireError? {
        do {
            _ = try Wire.decode(GossipRPC.self, from: bytes)
            return nil
        } catch {
            return error
        }
    }

    static let sample = GossipRPC(
        subscriptions: [.init(topic: .votes, subscribe: true)],
        messages: [.init(topic: .votes, data: Array("abc".utf8))],
        ihave: [.init(topic: .proposals, ids: [id(0xaa)])],
        iwant: [.init(ids: [id(0xbb)])],
        graft: [.init(topic: .receipts)],
        prune: [.init(topic: .verdicts, backoffSeconds: 300)]
    )

    @Test("golden bytes: version, then six counted arrays in field order")
    func golden() throws {
        let expected = Self.hex(
            "01", "01 0201", "01 02 03 616263", "01 01 01", String(repeating: "aa", count: 32),
            "01 01", String(repeating: "bb", count: 32), "01 04", "01 05 2c010000 00"
        )
        #expect(Wire.encode(Self.sample) == expected)
        #expect(try Wire.decode(GossipRPC.self, from: expected) == Self.sample)
        #expect(Wire.encode(GossipRPC()) == Self.hex("01 00 00 00 00 00 00"))
    }

    @Test("message ids are BLAKE2b-256 of the topic byte then the data (known answers)")
    func messageIDKnownAnswers() {
        #expect(MessageID(topic: .votes, data: Array("abc".utf8)).description
            == "5b47af56b8f5f68c65b8460fd5757b84ea082dfabadb5be0302c15d69d9c69fe")
        #expect(MessageID(topic: .proposals, data: []).description
            == "ee155ace9c40292074cb6aff8c9ccdd273c81648ff1149ef36bcea6ebb8a3e25")
        #expect(MessageID(topic: .votes, data: [1]) != MessageID(topic: .transactions, data: [1]))
    }

    @Test("a full RPC with peer-exchange records and maximal id lists round-trips")
    func roundTrip() throws {
        let record = GossipRouterTests.record(of: 3)
        let ids = (0..<GossipLimits.idsPerControlMax).map { Self.id(UInt8(truncatingIfNeeded: $0)) }
        let rpc = GossipRPC(
            subscriptions: GossipTopic.allCases.map { .init(topic: $0, subscribe: $0.rawValue % 2 == 0) },
            messages: GossipTopic.allCases.map { .init(topic: $0, data: payload(Int($0.rawValue))) },
            ihave: [.init(topic: .transactions, ids: ids)],
            iwant: [.init(ids: ids), .init(ids: [])],
            graft: GossipTopic.allCases.map { .init(topic: $0) },
            prune: [.init(topic: .votes, backoffSeconds: GossipLimits.pruneBackoffSecondsMax,
                          peers: Array(repeating: record, count: GossipLimits.peerExchangeRecordsMax))]
        )
        #expect(try Wire.decode(GossipRPC.self, from: Wire.encode(rpc)) == rpc)
    }

    @Test("an unknown topic byte is invalidEnum")
    func unknownTopic() {
        #expect(Self.error(Self.hex("01 01 0601 00 00 00 00 00")) == .invalidEnum(type: "GossipTopic", raw: 6))
        #expect(Self.error(Self.hex("01 00 00 00 00 01 00 00")) == .invalidEnum(type: "GossipTopic", raw: 0))
    }

    @Test("a backoff above pruneBackoffSecondsMax is invalidValue")
    func backoffLimit() {
        var encoder = WireEncoder()
        encoder.writeUInt32(GossipLimits.pruneBackoffSecondsMax + 1)
        let bytes = Self.hex("01 00 00 00 00 00 01 02") + encoder.bytes + [0x00]
        guard case .invalidValue(let field, _) = Self.error(bytes) else {
            Issue.record("expected invalidValue")
            return
        }
        #expect(field == "GossipRPC.Prune.backoffSeconds")
    }

    @Test("a peer-exchange record that is not a peer record is invalidValue")
    func peerExchangeRecordKind() {
        var record = GossipRouterTests.record(of: 3)
        record.kind = .vote
        var encoder = WireEncoder()
        encoder.write(GossipTopic.votes)
        encoder.writeUInt32(60)
        encoder.writeVarint(1)
        encoder.write(record)
        let bytes = Self.hex("01 00 00 00 00 00 01") + encoder.bytes
        guard case .invalidValue(let field, _) = Self.error(bytes) else {
            Issue.record("expected invalidValue")
            return
        }
        #expect(field == "GossipRPC.Prune.peers")
    }

    @Test("every count one over its limit is lengthExceeded, before anything is allocated")
    func countLimits() {
        func over(_ max: Int) -> [UInt8] {
            var encoder = WireEncoder()
            encoder.writeVarint(UInt64(max + 1))
            return encoder.bytes
        }
        let cases: [(prefix: String, field: String, max: Int)] = [
            ("", "GossipRPC.subscriptions", GossipLimits.subscriptionsPerRPCMax),
            ("00", "GossipRPC.messages", GossipLimits.messagesPerRPCMax),
            ("00 00", "GossipRPC.ihave", GossipLimits.ihavesPerRPCMax),
            ("00 00 00", "GossipRPC.iwant", GossipLimits.iwantsPerRPCMax),
            ("00 00 00 00", "GossipRPC.graft", GossipLimits.graftsPerRPCMax),
            ("00 00 00 00 00", "GossipRPC.prune", GossipLimits.prunesPerRPCMax),
            ("00 01 02", "GossipRPC.Message.data", GossipLimits.messageDataBytesMax),
            ("00 00 01 02", "GossipRPC.IHave.ids", GossipLimits.idsPerControlMax),
            ("00 00 00 01", "GossipRPC.IWant.ids", GossipLimits.idsPerControlMax),
            ("00 00 00 00 00 01 02 3c000000", "GossipRPC.Prune.peers", GossipLimits.peerExchangeRecordsMax),
        ]
        for (prefix, field, max) in cases {
            let bytes = Self.hex("01", prefix) + over(max)
            #expect(Self.error(bytes) == .lengthExceeded(field: field, max: max, actual: UInt64(max + 1)), "\(field)")
        }
    }

    @Test("trailing bytes, truncation and a wrong version are rejected")
    func framing() {
        let bytes = Wire.encode(Self.sample)
        #expect(Self.error(bytes + [0]) == .trailingBytes(count: 1))
        #expect(Self.error(Array(bytes.dropLast())) != nil)
        #expect(Self.error([0x02] + bytes.dropFirst()) == .unsupportedVersion(got: 2, supported: 1))
    }

    @Test("GossipLimits and the default GossipConfig satisfy their own preconditions")
    func limitsHold() {
        GossipLimits.check()
        GossipConfig().check()
        #expect(GossipLimits.messageDataBytesMax < Limits.frameBytesMax)
    }
}
