import PoUWKernels
import Testing

@Suite struct Q8ActivationsTests {
    @Test("SIMD block quantization equals the reference: codes, scale and scaled sum")
    func quantizationMatchesReference() {
        var random = TestRandom(seed: 11)
        var rows: [[Float]] = [[Float](repeating: 0, count: 32), [Float](repeating: -2.5, count: 32)]
        for scale in [Float(1e-6), 0.01, 1, 300] { rows.append(random.floats(32, scale: scale)) }
        for x in rows {
            let act = Q8Activations(columns: 32, rowsMax: 1)
            x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: 1, stride: 32) }
            let reference = Q8Activations.quantizeBlockReference(x)
            #expect(Array(UnsafeBufferPointer(start: act.codes, count: 32)) == reference.codes)
            #expect(act.scales[0].bitPattern == reference.scale.bitPattern)
            #expect(act.scaledSums[0].bitPattern == reference.scaledSum.bitPattern)
        }
    }

    @Test("codes reconstruct the input to within half a quantization step")
    func reconstruction() {
        var random = TestRandom(seed: 12)
        let x = random.floats(64, scale: 5)
        let act = Q8Activations(columns: 64, rowsMax: 1)
        x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: 1, stride: 64) }
        for i in 0..<64 {
            let scale = act.scales[i / 32]
            #expect(abs(Float(act.codes[i]) * scale - x[i]) <= scale * 0.51 + 5e-3)
        }
    }
}
