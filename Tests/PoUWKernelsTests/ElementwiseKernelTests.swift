import PoUWKernels
import Testing

@Suite struct NormalizationTests {
    @Test("SIMD RMSNorm equals the reference bit for bit", arguments: floatLengths)
    func rmsNorm(length: Int) {
        var random = TestRandom(seed: 31 + UInt64(length))
        let x = random.floats(length, scale: 10), w = random.floats(length)
        var out = [Float](repeating: 0, count: length)
        out.withUnsafeMutableBufferPointer {
            Normalization.rmsNorm(x, weight: w, count: length, epsilon: 1e-5, into: $0.baseAddress!)
        }
        #expect(bits(out) == bits(Normalization.rmsNormReference(x, weight: w, epsilon: 1e-5)))
    }
}

@Suite struct SoftmaxTests {
    @Test("SIMD softmax equals the reference bit for bit and sums to 1", arguments: floatLengths)
    func softmax(length: Int) {
        var random = TestRandom(seed: 41 + UInt64(length))
        let x = random.floats(length, scale: 30)
        var y = x
        y.withUnsafeMutableBufferPointer { Softmax.softmax($0.baseAddress!, count: length) }
        #expect(bits(y) == bits(Softmax.softmaxReference(x)))
        #expect(abs(y.reduce(0, +) - 1) < 1e-5)
    }
}

@Suite struct GatingTests {
    @Test("SIMD SwiGLU equals the reference bit for bit, including saturated inputs", arguments: floatLengths)
    func swiGLU(length: Int) {
        var random = TestRandom(seed: 51 + UInt64(length))
        var gate = random.floats(length, scale: 12)
        if length > 2 {
            gate[0] = 200
            gate[1] = -200
        }
        let up = random.floats(length)
        var out = [Float](repeating: 0, count: length)
        out.withUnsafeMutableBufferPointer { Gating.swiGLU(gate: gate, up: up, count: length, into: $0.baseAddress!) }
        #expect(bits(out) == bits(Gating.swiGLUReference(gate: gate, up: up)))
        #expect(Gating.silu(200) == 200 && Gating.silu(-200) == 0)
    }
}
