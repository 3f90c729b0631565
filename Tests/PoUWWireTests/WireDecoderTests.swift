import PoUWCore
import PoUWWire
import Testing

@Suite struct WireDecoderTests {
    @Test("varints round-trip at the edges and for 10,000 seeded values")
    func varintRoundTrip() {
        var generator = SeededGenerator(seed: 0x5eed_0001)
        var values: [UInt64] = [0, 1, 127, 128, 16_383, 16_384, 1 << 56, (1 << 63) - 1, 1 << 63, .max]
        for _ in 0..<10_000 {
            // Spread the bit lengths evenly instead of drawing mostly 64-bit numbers.
            values.append(generator.next() >> UInt64.random(in: 0...63, using: &generator))
        }
        for value in values {
            let bytes = encoded { $0.writeVarint(value) }
            let decoded = withDecoder(bytes) { (decoder) throws(WireError) in
                let result = try decoder.readVarint()
                try decoder.finish()
                return result
            }
            #expect(decoded == .success(value), "value \(value)")
        }
    }

    @Test(
        "non-minimal varints are rejected",
        arguments: ["80 00", "ff 00", "80 80 00", "81 80 00", "ff ff ff ff ff ff ff ff ff 00"]
    )
    func nonCanonicalVarint(bytes: String) {
        let result = withDecoder(hex(bytes)) { (d) throws(WireError) in try d.readVarint() }
        #expect(result == .failure(.nonCanonicalVarint))
    }

    @Test(
        "varints above 64 bits are rejected",
        arguments: [
            "ff ff ff ff ff ff ff ff ff 02", "ff ff ff ff ff ff ff ff ff 7f", "ff ff ff ff ff ff ff ff ff 81 00",
            "80 80 80 80 80 80 80 80 80 80 00", "80 80 80 80 80 80 80 80 80 80 80 80 80 80 01",
        ]
    )
    func varintOverflow(bytes: String) {
        #expect(withDecoder(hex(bytes)) { (d) throws(WireError) in try d.readVarint() } == .failure(.varintOverflow))
    }

    @Test("a varint cut short is truncated")
    func varintTruncated() {
        let expected = Result<UInt64, WireError>.failure(.truncated(needed: 1, remaining: 0))
        #expect(withDecoder([]) { (d) throws(WireError) in try d.readVarint() } == expected)
        #expect(withDecoder(hex("80")) { (d) throws(WireError) in try d.readVarint() } == expected)
        #expect(withDecoder(hex("ff ff ff")) { (d) throws(WireError) in try d.readVarint() } == expected)
    }

    @Test("fixed-width integers read little-endian and report how many bytes were missing")
    func integers() {
        let bytes = hex("ab 02 01 04 03 02 01 08 07 06 05 04 03 02 01 fe ff ff ff ff ff ff ff")
        let result = withDecoder(bytes) { (d) throws(WireError) in
            let values = (try d.readUInt8(), try d.readUInt16(), try d.readUInt32(), try d.readUInt64())
            let signed = try d.readInteger(Int64.self)
            try d.finish()
            return [UInt64(values.0), UInt64(values.1), UInt64(values.2), values.3, UInt64(bitPattern: signed)]
        }
        #expect(result == .success([0xab, 0x0102, 0x0102_0304, 0x0102_0304_0506_0708, UInt64(bitPattern: -2)]))
        #expect(withDecoder(hex("01 02 03")) { (d) throws(WireError) in try d.readUInt64() }
            == .failure(.truncated(needed: 8, remaining: 3)))
    }

    @Test("bools accept exactly 0x00 and 0x01")
    func bools() {
        #expect(withDecoder(hex("00 01")) { (d) throws(WireError) in [try d.readBool(), try d.readBool()] }
            == .success([false, true]))
        for byte in [UInt8(0x02), 0x10, 0x80, 0xff] {
            let result = withDecoder([byte]) { (d) throws(WireError) in try d.readBool() }
            #expect(result == .failure(.invalidBool(byte: byte)))
        }
    }

    @Test("a length one over its maximum is lengthExceeded, at the maximum it is read")
    func lengthLimit() {
        let atMax = hex("03 61 62 63")
        #expect(withDecoder(atMax) { (d) throws(WireError) in try d.readString(field: "name", max: 3) }
            == .success("abc"))
        #expect(withDecoder(atMax) { (d) throws(WireError) in try d.readString(field: "name", max: 2) }
            == .failure(.lengthExceeded(field: "name", max: 2, actual: 3)))
        #expect(withDecoder(atMax) { (d) throws(WireError) in try d.readBytes(field: "blob", max: 2) }
            == .failure(.lengthExceeded(field: "blob", max: 2, actual: 3)))
        let huge = hex("ff ff ff ff ff ff ff ff ff 01")
        #expect(withDecoder(huge) { (d) throws(WireError) in try d.readBytes(field: "blob", max: Int.max) }
            == .failure(.lengthExceeded(field: "blob", max: Int.max, actual: UInt64.max)))
    }

    @Test("a 10-byte input claiming a 2^40-byte string fails before allocating")
    func hugeClaimFailsFast() {
        let input = hex("80 80 80 80 80 20", "61 62 63 64")  // varint 2^40, then 4 bytes
        #expect(input.count == 10)
        let truncated = WireError.truncated(needed: 1 << 40, remaining: 4)
        #expect(withDecoder(input) { (d) throws(WireError) in try d.readBytes(field: "blob", max: Int.max) }
            == .failure(truncated))
        #expect(withDecoder(input) { (d) throws(WireError) in try d.readString(field: "text", max: Int.max) }
            == .failure(truncated))
        #expect(withDecoder(input) { (d) throws(WireError) in try d.readArray(of: Hash32.self, field: "h", max: .max) }
            == .failure(.truncated(needed: 32 << 40, remaining: 4)))
    }

    @Test("a count whose byte size overflows Int reports Int.max bytes needed")
    func countTimesSizeOverflow() {
        let input = encoded { $0.writeVarint(UInt64(Int.max)) }
        let result = withDecoder(input) { (d) throws(WireError) in
            try d.readLength(field: "items", max: Int.max, elementBytesMin: 32)
        }
        #expect(result == .failure(.truncated(needed: Int.max, remaining: 0)))
    }

    @Test(
        "ill-formed UTF-8 is rejected",
        arguments: ["c3 28", "c0 af", "e0 80 af", "ed a0 80", "e2 82", "f4 90 80 80", "f8 88 80 80 80", "ff", "80"]
    )
    func invalidUTF8(utf8: String) {
        let body = hex(utf8)
        let input = encoded { $0.writeBytes(body, field: "text", max: 16) }
        #expect(withDecoder(input) { (d) throws(WireError) in try d.readString(field: "text", max: 16) }
            == .failure(.invalidUTF8(field: "text")))
    }

    @Test("well-formed UTF-8 round-trips byte for byte, including NUL and 4-byte scalars")
    func validUTF8() {
        for text in ["", "\u{0}", "héllo ✓ 🙂", "\u{FEFF}bom", "e\u{301}", String(repeating: "é", count: 32)] {
            let input = encoded { $0.writeString(text, field: "text", max: 64) }
            let result = withDecoder(input) { (d) throws(WireError) in try d.readString(field: "text", max: 64) }
            #expect(result.map { Array($0.utf8) } == .success(Array(text.utf8)))
        }
    }

    @Test("optional tags other than 0x00 and 0x01 are rejected")
    func optionals() {
        let present = hex("01", repeated("07", 32))
        #expect(withDecoder(present) { (d) throws(WireError) in try d.readOptional(Hash32.self, field: "h") }
            == .success(Hash32([UInt8](repeating: 7, count: 32))))
        #expect(withDecoder(hex("00")) { (d) throws(WireError) in try d.readOptional(Hash32.self, field: "h") }
            == .success(nil))
        let result = withDecoder(hex("02")) { (d) throws(WireError) in try d.readOptional(Hash32.self, field: "h") }
        let reason = "optional tag must be 0x00 (absent) or 0x01 (present), got 0x02"
        #expect(result == .failure(.invalidValue(field: "h", reason: reason)))
    }

    @Test("enum raw values without a case are rejected with the raw value")
    func enums() {
        for raw in [UInt16(0), 9, 0x0100, 0xffff] {
            let input = encoded { $0.writeUInt16(raw) }
            #expect(withDecoder(input) { (d) throws(WireError) in try d.readEnum(MessageKind.self) }
                == .failure(.invalidEnum(type: "MessageKind", raw: UInt64(raw))))
        }
    }

    @Test("finish reports unread bytes; offset and remaining track consumption")
    func finishAndOffsets() {
        let result = withDecoder(hex("01 02 03")) { (d) throws(WireError) in
            _ = try d.readUInt8()
            #expect(d.offset == 1 && d.remainingByteCount == 2)
            try d.finish()
            return true
        }
        #expect(result == .failure(.trailingBytes(count: 2)))
    }
}
