import PoUWCrypto
import Testing

@Suite("ConstantTime")
struct ConstantTimeTests {
    @Test("equal bytes compare equal, including empty ones")
    func equal() {
        let bytes = seededBytes(count: 64, seed: 6)
        #expect(ConstantTime.equals(bytes, bytes))
        #expect(ConstantTime.equals([], []))
    }

    @Test("a difference in any single byte compares unequal")
    func differentByte() {
        let bytes = seededBytes(count: 32, seed: 6)
        for index in bytes.indices {
            var other = bytes
            other[index] ^= 0x80
            #expect(!ConstantTime.equals(bytes, other), "byte \(index)")
        }
    }

    @Test("different lengths compare unequal, even when one is a prefix of the other")
    func differentLength() {
        let bytes = seededBytes(count: 32, seed: 6)
        #expect(!ConstantTime.equals(bytes, Array(bytes.prefix(31))))
        #expect(!ConstantTime.equals([], [0]))
    }
}
