import PoUWCore
import PoUWWire
import Testing

@Suite struct WireTests {
    @Test("encode prepends the wire version byte")
    func versionByte() {
        let bytes = Wire.encode(Samples.envelope)
        #expect(bytes.first == Version.wire)
        #expect(Version.wire == 0x01)
    }

    @Test("a version byte other than the supported one is rejected", arguments: [UInt8(0x00), 0x02, 0xff])
    func wrongVersion(version: UInt8) {
        var bytes = Wire.encode(Samples.peerRecord)
        bytes[0] = version
        #expect(decodeError(PeerRecord.self, bytes) == .unsupportedVersion(got: version, supported: Version.wire))
    }

    @Test("an empty input is truncated at the version byte")
    func emptyInput() {
        #expect(decodeError(Hash32.self, []) == .truncated(needed: 1, remaining: 0))
    }

    @Test("trailing bytes after a complete value are rejected")
    func trailingBytes() {
        #expect(decodeError(SignedEnvelope.self, Wire.encode(Samples.envelope) + [0x00]) == .trailingBytes(count: 1))
        #expect(decodeError(MessageKind.self, hex("01 03 00 00 00 00")) == .trailingBytes(count: 3))
    }

    @Test("an input longer than a frame is rejected before decoding")
    func frameLimit() {
        let bytes = [UInt8](repeating: 0, count: Limits.frameBytesMax + 1)
        #expect(decodeError(Hash32.self, bytes)
            == .lengthExceeded(field: "message", max: Limits.frameBytesMax, actual: UInt64(Limits.frameBytesMax + 1)))
    }

    @Test("decoding from a raw buffer gives the same value as from an array")
    func rawBufferDecode() throws {
        let bytes = Wire.encode(Samples.merkleProof)
        let fromBuffer = try bytes.withUnsafeBytes { try Wire.decode(MerkleProof.self, from: $0) }
        #expect(fromBuffer == Samples.merkleProof)
        #expect(try Wire.decode(MerkleProof.self, from: bytes) == Samples.merkleProof)
    }
}
