import PoUWKernels
import Testing

@Suite struct BlockLayoutsTests {
    @Test("block structs have the on-disk sizes: Q4_0 18, Q4_1 20, Q8_0 34 bytes")
    func sizes() {
        BlockLayouts.check()
        #expect(MemoryLayout<BlockQ4_0>.size == 18)
        #expect(MemoryLayout<BlockQ4_1>.size == 20)
        #expect(MemoryLayout<BlockQ8_0>.size == 34)
        #expect(WeightFormat.q4_1.rowBytes(columns: 576) == 18 * 20)
        #expect(WeightFormat.q8_0.blockBytes == 34 && WeightFormat.q4_0.blockBytes == 18)
    }

    @Test("Q4_1 dequantization puts low nibbles at elements 0–15 and high nibbles at 16–31")
    func nibbleOrder() {
        // d = 1.0 (0x3C00), m = 0.5 (0x3800), byte j = (j+1) << 4 | j.
        var bytes: [UInt8] = [0x00, 0x3C, 0x00, 0x38]
        bytes += (0..<16).map { UInt8(((($0 + 1) & 15) << 4) | $0) }
        var out = [Float](repeating: 0, count: 32)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer { Dequantize.block(.q4_1, raw.baseAddress!, into: $0.baseAddress!) }
        }
        #expect(out[0] == 0.5 && out[15] == 15.5)
        #expect(out[16] == 1.5 && out[31] == 0.5)
    }
}
