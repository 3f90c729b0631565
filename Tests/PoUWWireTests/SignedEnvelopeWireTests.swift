import PoUWCore
import PoUWWire
import Testing

@Suite struct SignedEnvelopeWireTests {
    @Test("golden bytes: chain id, kind, payload, signer, signature")
    func golden() throws {
        let expected = hex(
            "01", "09", "706f75772d74657374", "0300", "04", "deadbeef", repeated("11", 32), repeated("22", 64)
        )
        #expect(Wire.encode(Samples.envelope) == expected)
        #expect(try Wire.decode(SignedEnvelope.self, from: expected) == Samples.envelope)
    }

    @Test("golden bytes: a 300-byte payload has the two-byte length ac 02")
    func goldenLongPayload() {
        var envelope = Samples.envelope
        envelope.chainId = ""
        envelope.kind = .receipt
        envelope.payload = [UInt8](repeating: 0x5a, count: 300)
        let expected = hex("01", "00", "0500", "ac02", repeated("5a", 300), repeated("11", 32), repeated("22", 64))
        #expect(Wire.encode(envelope) == expected)
    }

    @Test("edge envelopes round-trip: empty fields, maximum chain id, maximum payload, every kind")
    func roundTrip() throws {
        var envelopes: [SignedEnvelope] = []
        for kind in MessageKind.allCases {
            var envelope = Samples.envelope
            envelope.kind = kind
            envelopes.append(envelope)
        }
        var edge = Samples.envelope
        edge.chainId = ""
        edge.payload = []
        envelopes.append(edge)
        edge.chainId = String(repeating: "c", count: Limits.chainIdBytesMax)
        envelopes.append(edge)
        edge.chainId = String(repeating: "é", count: Limits.chainIdBytesMax / 2)
        edge.payload = [UInt8](repeating: 0xff, count: Limits.envelopePayloadBytesMax)
        envelopes.append(edge)
        for envelope in envelopes {
            #expect(try Wire.decode(SignedEnvelope.self, from: Wire.encode(envelope)) == envelope)
        }
    }

    @Test("a chain id one byte over chainIdBytesMax is lengthExceeded")
    func chainIdLimit() {
        let bytes = Self.envelopeBytes(chainId: Array(repeating: 0x63, count: Limits.chainIdBytesMax + 1))
        #expect(decodeError(SignedEnvelope.self, bytes)
            == .lengthExceeded(field: "SignedEnvelope.chainId", max: Limits.chainIdBytesMax, actual: 65))
    }

    @Test("a payload one byte over envelopePayloadBytesMax is lengthExceeded")
    func payloadLimit() {
        let payload = [UInt8](repeating: 0, count: Limits.envelopePayloadBytesMax + 1)
        let bytes = Self.envelopeBytes(payload: payload)
        #expect(decodeError(SignedEnvelope.self, bytes)
            == .lengthExceeded(
                field: "SignedEnvelope.payload", max: Limits.envelopePayloadBytesMax, actual: UInt64(payload.count)))
    }

    @Test("a 10-byte message claiming a 2^40-byte chain id fails fast")
    func hugeClaim() {
        let bytes = hex("01", "80 80 80 80 80 20", "00 00 00")
        #expect(bytes.count == 10)
        #expect(decodeError(SignedEnvelope.self, bytes)
            == .lengthExceeded(field: "SignedEnvelope.chainId", max: Limits.chainIdBytesMax, actual: 1 << 40))
    }

    @Test("a chain id that is not UTF-8 is rejected")
    func invalidChainId() {
        let bytes = Self.envelopeBytes(chainId: [0x70, 0xc3, 0x28])
        #expect(decodeError(SignedEnvelope.self, bytes) == .invalidUTF8(field: "SignedEnvelope.chainId"))
    }

    @Test("an unknown kind is rejected")
    func unknownKind() {
        let bytes = Self.envelopeBytes(kindRaw: 0x0009)
        #expect(decodeError(SignedEnvelope.self, bytes) == .invalidEnum(type: "MessageKind", raw: 9))
    }

    @Test("a non-minimal payload length is rejected")
    func nonCanonicalLength() {
        var bytes = hex("01", "09", "706f75772d74657374", "0300", "8400", "deadbeef")
        bytes += hex(repeated("11", 32), repeated("22", 64))
        #expect(decodeError(SignedEnvelope.self, bytes) == .nonCanonicalVarint)
    }

    @Test("encoding a chain id over chainIdBytesMax is a programmer error")
    func encodeOverLimitTraps() async {
        await #expect(processExitsWith: .failure) {
            var envelope = Samples.envelope
            envelope.chainId = String(repeating: "c", count: 65)
            _ = Wire.encode(envelope)
        }
    }

    /// An envelope written field by field, so that fields may break the limits.
    static func envelopeBytes(
        chainId: [UInt8] = Array("pouw".utf8), kindRaw: UInt16 = 3, payload: [UInt8] = [1, 2, 3]
    ) -> [UInt8] {
        encoded {
            $0.writeUInt8(Version.wire)
            $0.writeBytes(chainId, field: "chainId", max: .max)
            $0.writeUInt16(kindRaw)
            $0.writeBytes(payload, field: "payload", max: .max)
            $0.write(Samples.key)
            $0.write(Samples.signature)
        }
    }
}
