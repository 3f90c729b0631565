import PoUWCore
import PoUWWire
import Testing

@Suite struct PeerRecordWireTests {
    @Test("golden bytes: node key, address count, addresses, sequence u64, time u64")
    func golden() throws {
        let expected = hex(
            "01", repeated("33", 32), "02", "0d", "31302e302e302e313a39303030", "0a", "5b3a3a315d3a39303031",
            "0201000000000000", "0068e5cf8b010000"
        )
        #expect(Wire.encode(Samples.peerRecord) == expected)
        #expect(try Wire.decode(PeerRecord.self, from: expected) == Samples.peerRecord)
    }

    @Test("edge records round-trip: no addresses, zero and maximum integers, maximum addresses")
    func roundTrip() throws {
        let longest = String(repeating: "a", count: Limits.peerAddressBytesMax)
        let records = [
            PeerRecord(nodeKey: Samples.key, addresses: [], sequence: 0, unixMilliseconds: 0),
            PeerRecord(nodeKey: Samples.key, addresses: [""], sequence: .max, unixMilliseconds: .max),
            PeerRecord(
                nodeKey: Samples.key, addresses: Array(repeating: longest, count: Limits.peerAddressesMax),
                sequence: 1, unixMilliseconds: 2
            ),
        ]
        for record in records {
            #expect(try Wire.decode(PeerRecord.self, from: Wire.encode(record)) == record)
        }
    }

    @Test("one address over peerAddressesMax is lengthExceeded")
    func addressCountLimit() {
        let bytes = Self.recordBytes(addresses: Array(repeating: Array("h:1".utf8), count: Limits.peerAddressesMax + 1))
        #expect(decodeError(PeerRecord.self, bytes)
            == .lengthExceeded(field: "PeerRecord.addresses", max: Limits.peerAddressesMax, actual: 9))
    }

    @Test("an address one byte over peerAddressBytesMax is lengthExceeded")
    func addressLengthLimit() {
        let bytes = Self.recordBytes(addresses: [Array(repeating: 0x61, count: Limits.peerAddressBytesMax + 1)])
        #expect(decodeError(PeerRecord.self, bytes)
            == .lengthExceeded(field: "PeerRecord.addresses[]", max: Limits.peerAddressBytesMax, actual: 257))
    }

    @Test("an address that is not UTF-8 is rejected")
    func invalidAddress() {
        let bytes = Self.recordBytes(addresses: [Array("ok:1".utf8), [0xed, 0xa0, 0x80]])
        #expect(decodeError(PeerRecord.self, bytes) == .invalidUTF8(field: "PeerRecord.addresses[]"))
    }

    @Test("a non-minimal address count is rejected")
    func nonCanonicalCount() {
        let bytes = hex("01", repeated("33", 32), "80 00", repeated("00", 16))
        #expect(decodeError(PeerRecord.self, bytes) == .nonCanonicalVarint)
    }

    @Test("a record cut inside its integers is truncated")
    func truncatedIntegers() {
        let bytes = Array(Wire.encode(Samples.peerRecord).dropLast(3))
        #expect(decodeError(PeerRecord.self, bytes) == .truncated(needed: 8, remaining: 5))
    }

    /// A record written field by field, so that addresses may break the limits.
    static func recordBytes(addresses: [[UInt8]]) -> [UInt8] {
        encoded {
            $0.writeUInt8(Version.wire)
            $0.write(Samples.key)
            $0.writeVarint(UInt64(addresses.count))
            for address in addresses { $0.writeBytes(address, field: "address", max: .max) }
            $0.writeUInt64(7)
            $0.writeUInt64(8)
        }
    }
}
