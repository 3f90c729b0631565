import PoUWCore
import PoUWCrypto
import Testing

@Suite("SystemEntropy")
struct SystemEntropyTests {
    @Test("fill overwrites the whole buffer with fresh bytes each time")
    func fill() {
        let entropy: any Entropy = SystemEntropy()
        var first = [UInt8](repeating: 0, count: 64)
        var second = [UInt8](repeating: 0, count: 64)
        entropy.fill(&first)
        entropy.fill(&second)
        #expect(first.count == 64)
        #expect(first != second)
        // 64 random bytes have a zero tail of 16 bytes with probability 2^-128.
        #expect(first.suffix(16) != ArraySlice(repeating: 0, count: 16))
    }

    @Test("filling an empty buffer leaves it empty")
    func empty() {
        var buffer = [UInt8]()
        SystemEntropy().fill(&buffer)
        #expect(buffer.isEmpty)
    }
}
