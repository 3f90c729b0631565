import PoUWCore
import PoUWWire
import Testing

@Suite struct WireEncoderTests {
    @Test(
        "varints are minimal little-endian LEB128",
        arguments: [
            (UInt64(0), "00"), (1, "01"), (127, "7f"), (128, "80 01"), (255, "ff 01"), (300, "ac 02"),
            (16_383, "ff 7f"), (16_384, "80 80 01"), (1 << 32, "80 80 80 80 10"),
            (1 << 63, "80 80 80 80 80 80 80 80 80 01"), (UInt64.max, "ff ff ff ff ff ff ff ff ff 01"),
        ]
    )
    func varintGolden(value: UInt64, expected: String) {
        #expect(encoded { $0.writeVarint(value) } == hex(expected))
    }

    @Test("fixed-width integers are little-endian, signed ones in two's complement")
    func integersGolden() {
        #expect(encoded { $0.writeUInt8(0xab) } == hex("ab"))
        #expect(encoded { $0.writeUInt16(0x0102) } == hex("02 01"))
        #expect(encoded { $0.writeUInt32(0x0102_0304) } == hex("04 03 02 01"))
        #expect(encoded { $0.writeUInt64(0x0102_0304_0506_0708) } == hex("08 07 06 05 04 03 02 01"))
        #expect(encoded { $0.writeUInt64(UInt64.max) } == hex(repeated("ff", 8)))
        #expect(encoded { $0.writeInteger(Int64(-2)) } == hex("fe ff ff ff ff ff ff ff"))
        #expect(encoded { $0.writeInteger(Int16(-32768)) } == hex("00 80"))
    }

    @Test("bools are one byte, 0x00 or 0x01")
    func boolsGolden() {
        #expect(encoded { $0.writeBool(false) } == hex("00"))
        #expect(encoded { $0.writeBool(true) } == hex("01"))
    }

    @Test("byte strings and strings carry a varint length; fixed bytes carry none")
    func byteStringsGolden() {
        #expect(encoded { $0.writeBytes([], field: "f", max: 10) } == hex("00"))
        #expect(encoded { $0.writeBytes([0xca, 0xfe], field: "f", max: 10) } == hex("02 ca fe"))
        #expect(encoded { $0.writeString("", field: "f", max: 10) } == hex("00"))
        #expect(encoded { $0.writeString("hé", field: "f", max: 10) } == hex("03 68 c3 a9"))
        #expect(encoded { $0.writeFixedBytes([1, 2, 3], count: 3) } == hex("01 02 03"))
        let long = [UInt8](repeating: 0x5a, count: 300)
        #expect(encoded { $0.writeBytes(long, field: "f", max: 300) } == hex("ac 02", repeated("5a", 300)))
    }

    @Test("arrays are a count then elements; optionals a 0x00/0x01 tag; enums their raw value")
    func compositesGolden() {
        let hashes = [Hash32([UInt8](repeating: 0x01, count: 32)), Hash32([UInt8](repeating: 0x02, count: 32))]
        #expect(encoded { $0.writeArray(hashes, field: "f", max: 2) }
            == hex("02", repeated("01", 32), repeated("02", 32)))
        #expect(encoded { $0.writeArray([Hash32](), field: "f", max: 0) } == hex("00"))
        #expect(encoded { $0.writeOptional(Hash32?.none) } == hex("00"))
        #expect(encoded { $0.writeOptional(Optional(hashes[0])) } == hex("01", repeated("01", 32)))
        #expect(encoded { $0.writeEnum(MessageKind.handshake) } == hex("08 00"))
    }

    @Test("writing a length above its maximum is a programmer error")
    func overLimitTraps() async {
        await #expect(processExitsWith: .failure) {
            var encoder = WireEncoder()
            encoder.writeBytes([1, 2, 3], field: "f", max: 2)
        }
    }
}
