import PoUWKernels
import Testing

@Suite struct QuantizedDotTests {
    static let formats: [WeightFormat] = [.q4_0, .q4_1, .q8_0]

    @Test("SIMD block dot products equal the Int32 reference bit for bit",
          arguments: formats, blockLengths)
    func dotMatchesReference(format: WeightFormat, length: Int) {
        var random = TestRandom(seed: UInt64(length) &* 31 &+ UInt64(format.blockBytes))
        let weights = random.blockBytes(format, columns: length)
        let x = random.floats(length, scale: 2)
        let act = Q8Activations(columns: length, rowsMax: 1)
        x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: 1, stride: length) }
        weights.withUnsafeBytes { raw in
            let simd = QuantizedDot.dot(format, row: raw.baseAddress!, act, activationRow: 0)
            let reference = QuantizedDot.dotReference(format, row: raw.baseAddress!, act, activationRow: 0)
            #expect(simd.bitPattern == reference.bitPattern)
        }
    }

    @Test("quantized dot is close to the float dot of the dequantized row", arguments: formats)
    func dotApproximatesFloat(format: WeightFormat) {
        var random = TestRandom(seed: 5)
        let length = 576
        let weights = random.blockBytes(format, columns: length)
        let x = random.floats(length)
        let act = Q8Activations(columns: length, rowsMax: 1)
        x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: 1, stride: length) }
        var w = [Float](repeating: 0, count: length)
        weights.withUnsafeBytes { raw in
            let m = WeightMatrix(format: format, rows: 1, columns: length, base: raw.baseAddress!)
            w.withUnsafeMutableBufferPointer { m.dequantizeRow(0, into: $0.baseAddress!) }
            let quantized = QuantizedDot.dot(format, row: raw.baseAddress!, act, activationRow: 0)
            let exact = zip(w, x).map { Double($0) * Double($1) }.reduce(0, +)
            let magnitude = zip(w, x).map { abs(Double($0) * Double($1)) }.reduce(0, +)
            #expect(abs(Double(quantized) - exact) <= 0.01 * magnitude)
        }
    }
}
