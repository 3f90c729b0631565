import PoUWCore
import PoUWStorage
import Testing

/// The byte encodings of keys and values.
@Suite struct StorageCodableTests {
    @Test("UInt64 encodes to 8 big-endian bytes, so byte order is numeric order")
    func uint64BigEndian() {
        #expect(UInt64(0x0102_0304_0506_0708).storageBytes == [1, 2, 3, 4, 5, 6, 7, 8])
        var generator = SeededGenerator(seed: 7)
        let numbers = (0..<200).map { UInt64.random(in: 0 ... .max, using: &generator) >> UInt64($0 % 64) }
        let byBytes = numbers.sorted { $0.storageBytes.lexicographicallyPrecedes($1.storageBytes) }
        #expect(byBytes == numbers.sorted())
        #expect(numbers.allSatisfy { UInt64(storageBytes: $0.storageBytes) == $0 })
        #expect(UInt64(storageBytes: [1, 2, 3]) == nil)
        #expect(UInt64(storageBytes: [UInt8](repeating: 0, count: 9)) == nil)
    }

    @Test("strings are UTF-8 and invalid UTF-8 does not decode")
    func strings() {
        #expect("héllo".storageBytes == [0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F])
        #expect(String(storageBytes: "héllo".storageBytes) == "héllo")
        #expect(String(storageBytes: []) == "")
        #expect(String(storageBytes: [0x68, 0xC3]) == nil)
        #expect(String(storageBytes: [0xFF]) == nil)
    }

    @Test("Hash32 and PublicKey round-trip as their 32 bytes; other lengths do not decode")
    func fixedSizeTypes() {
        let bytes = (0..<32).map { UInt8($0 * 7 % 256) }
        #expect(Hash32(bytes).storageBytes == bytes)
        #expect(Hash32(storageBytes: bytes) == Hash32(bytes))
        #expect(PublicKey(storageBytes: bytes) == PublicKey(bytes))
        #expect(Hash32(storageBytes: Array(bytes.dropLast())) == nil)
        #expect(PublicKey(storageBytes: bytes + [0]) == nil)
    }

    @Test("byte arrays are stored as they are")
    func byteArrays() {
        let bytes: [UInt8] = [0, 255, 3]
        #expect(bytes.storageBytes == bytes)
        #expect([UInt8](storageBytes: bytes) == bytes)
    }
}
