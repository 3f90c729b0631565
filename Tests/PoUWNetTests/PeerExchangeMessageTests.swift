import PoUWCore
import PoUWCrypto
import PoUWNet
import PoUWWire
import Testing

@Suite struct PeerExchangeMessageTests {
    let chainId = "test-chain"
    let node = KeyPair(seed: [UInt8](repeating: 9, count: 32))

    func record(_ key: KeyPair) -> PeerRecord {
        PeerRecord(nodeKey: key.publicKey, addresses: ["127.0.0.1:9000"], sequence: 3, unixMilliseconds: 5)
    }

    @Test("a signed record round-trips through a peer exchange message and verifies")
    func roundTrip() throws {
        let envelope = record(node).signed(chainId: chainId, by: node)
        let decoded = try PeerExchangeMessage(decoding: PeerExchangeMessage(records: [envelope]).encoded)
        #expect(decoded.records == [envelope])
        #expect(try PeerRecord.verified(decoded.records[0], chainId: chainId) == record(node))
    }

    @Test("records for another chain, with a bad signature, or naming another node are refused")
    func refusals() {
        let envelope = record(node).signed(chainId: chainId, by: node)
        #expect(throws: PeerRecordError.badSignature) { try PeerRecord.verified(envelope, chainId: "other") }
        var tampered = envelope
        tampered.payload[tampered.payload.count - 1] ^= 1
        #expect(throws: PeerRecordError.badSignature) { try PeerRecord.verified(tampered, chainId: chainId) }
        let other = KeyPair(seed: [UInt8](repeating: 8, count: 32))
        let notARecord = SignedEnvelope(signing: PeerExchangeMessage(records: []).encoded, kind: .peerRecord,
                                        chainId: chainId, by: other)
        #expect(throws: PeerRecordError.malformed) { try PeerRecord.verified(notARecord, chainId: chainId) }
        let lying = SignedEnvelope(signing: Wire.encode(record(node)), kind: .peerRecord, chainId: chainId, by: other)
        #expect(throws: PeerRecordError.signerMismatch) { try PeerRecord.verified(lying, chainId: chainId) }
        #expect(throws: PeerRecordError.malformed) { try PeerExchangeMessage(decoding: [0xFF, 0xFF]) }
    }
}
