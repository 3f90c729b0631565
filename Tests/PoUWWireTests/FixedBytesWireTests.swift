import PoUWCore
import PoUWWire
import Testing

@Suite struct Hash32WireTests {
    @Test("golden bytes: version, then the 32 bytes as they are")
    func golden() throws {
        let value = Hash32((0..<32).map { UInt8($0) })
        let expected = hex("01", "000102030405060708090a0b0c0d0e0f", "101112131415161718191a1b1c1d1e1f")
        #expect(Wire.encode(value) == expected)
        #expect(try Wire.decode(Hash32.self, from: expected) == value)
    }

    @Test("all-zero and all-ones hashes round-trip")
    func roundTrip() throws {
        for value in [Hash32.zero, Hash32([UInt8](repeating: 0xff, count: 32))] {
            #expect(try Wire.decode(Hash32.self, from: Wire.encode(value)) == value)
        }
    }

    @Test("31 bytes are truncated, 33 leave a trailing byte")
    func wrongLength() {
        #expect(decodeError(Hash32.self, hex("01", repeated("ab", 31))) == .truncated(needed: 32, remaining: 31))
        #expect(decodeError(Hash32.self, hex("01", repeated("ab", 33))) == .trailingBytes(count: 1))
    }
}

@Suite struct PublicKeyWireTests {
    @Test("golden bytes: version, then the 32 key bytes as they are")
    func golden() throws {
        let value = PublicKey((0x20..<0x40).map { UInt8($0) })
        let expected = hex("01", "202122232425262728292a2b2c2d2e2f", "303132333435363738393a3b3c3d3e3f")
        #expect(Wire.encode(value) == expected)
        #expect(try Wire.decode(PublicKey.self, from: expected) == value)
    }

    @Test("decoding accepts any 32 bytes: checking the curve point is PoUWCrypto's job")
    func noPointCheck() throws {
        let notAPoint = PublicKey([UInt8](repeating: 0xff, count: 32))
        #expect(try Wire.decode(PublicKey.self, from: Wire.encode(notAPoint)) == notAPoint)
    }

    @Test("a key cut short is truncated")
    func truncated() {
        #expect(decodeError(PublicKey.self, hex("01 00")) == .truncated(needed: 32, remaining: 1))
    }
}

@Suite struct SignatureWireTests {
    @Test("golden bytes: version, then the 64 signature bytes as they are")
    func golden() throws {
        let value = Signature((0x40..<0x80).map { UInt8($0) })
        let expected = hex(
            "01", "404142434445464748494a4b4c4d4e4f", "505152535455565758595a5b5c5d5e5f",
            "606162636465666768696a6b6c6d6e6f", "707172737475767778797a7b7c7d7e7f"
        )
        #expect(Wire.encode(value) == expected)
        #expect(try Wire.decode(Signature.self, from: expected) == value)
    }

    @Test("63 bytes are truncated, 65 leave a trailing byte")
    func wrongLength() {
        #expect(decodeError(Signature.self, hex("01", repeated("00", 63))) == .truncated(needed: 64, remaining: 63))
        #expect(decodeError(Signature.self, hex("01", repeated("00", 65))) == .trailingBytes(count: 1))
    }
}

@Suite struct MessageKindWireTests {
    @Test(
        "golden bytes: each kind is its raw value as a little-endian u16",
        arguments: [
            (MessageKind.transaction, "01 0100"), (.proposal, "01 0200"), (.vote, "01 0300"), (.peerRecord, "01 0400"),
            (.receipt, "01 0500"), (.verdict, "01 0600"), (.sprintCommit, "01 0700"), (.handshake, "01 0800"),
        ]
    )
    func golden(kind: MessageKind, expected: String) throws {
        #expect(Wire.encode(kind) == hex(expected))
        #expect(try Wire.decode(MessageKind.self, from: hex(expected)) == kind)
    }

    @Test("the golden table covers every kind")
    func everyKindCovered() {
        #expect(MessageKind.allCases.count == 8)
    }

    @Test("raw values without a kind are rejected", arguments: [UInt16(0), 9, 0x0100, 0xffff])
    func unknownKind(raw: UInt16) {
        let bytes = [Version.wire, UInt8(raw & 0xff), UInt8(raw >> 8)]
        #expect(decodeError(MessageKind.self, bytes) == .invalidEnum(type: "MessageKind", raw: UInt64(raw)))
    }
}
