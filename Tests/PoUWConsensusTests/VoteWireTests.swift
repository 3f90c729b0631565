import PoUWConsensus
import PoUWCore
import PoUWWire
import Testing

/// The canonical encoding of a vote, byte for byte (docs/wire.md's worked example): signatures are over
/// these bytes, so any change to them is a protocol change.
@Suite struct VoteWireTests {
    static let example = Vote(
        kind: .precommit, height: 5, round: 1, blockHash: Hash32([UInt8](repeating: 0xaa, count: 32)),
        voter: PublicKey([UInt8](repeating: 0x11, count: 32)), attestation: .empty,
        signature: Signature([UInt8](repeating: 0x22, count: 64))
    )

    static let exampleBytes: [UInt8] = [0x01, 0x02] + [5, 0, 0, 0, 0, 0, 0, 0] + [1, 0, 0, 0]
        + [0x01] + [UInt8](repeating: 0xaa, count: 32) + [UInt8](repeating: 0x11, count: 32)
        + [UInt8](repeating: 0, count: 32 + 24) + [UInt8](repeating: 0x22, count: 64)

    @Test func encodesExactlyAsDocumented() throws {
        #expect(Wire.encode(Self.example) == Self.exampleBytes)
        #expect(Self.exampleBytes.count == 199)
        #expect(try Wire.decode(Vote.self, from: Self.exampleBytes) == Self.example)
    }

    @Test func signingPayloadIsTheEncodingWithoutVersionOrSignature() {
        #expect(Self.example.signingPayload == Array(Self.exampleBytes[1..<(199 - 64)]))
    }

    @Test func aVoteForNilEncodesAbsence() throws {
        var nilVote = Self.example
        nilVote.blockHash = nil
        let bytes = Wire.encode(nilVote)
        #expect(bytes.count == 199 - 32)
        #expect(bytes[14] == 0x00)
        #expect(try Wire.decode(Vote.self, from: bytes) == nilVote)
    }
}
