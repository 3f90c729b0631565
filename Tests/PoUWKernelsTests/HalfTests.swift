import PoUWKernels
import Testing

@Suite struct HalfTests {
    @Test("binary16 to binary32 equals Swift's Float16 conversion for all 65536 bit patterns")
    func everyHalfConverts() {
        var mismatches = 0
        for raw in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: raw))
            let actual = Half.toFloat(raw)
            if expected.isNaN ? !actual.isNaN : expected.bitPattern != actual.bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("SIMD binary16 conversion equals the scalar one for all bit patterns")
    func simdMatchesScalar() {
        var mismatches = 0
        for start in stride(from: 0, to: 65536, by: 16) {
            var lanes = SIMD16<UInt32>()
            for i in 0..<16 { lanes[i] = UInt32(start + i) }
            let v = Half.toFloat(lanes)
            for i in 0..<16 where v[i].bitPattern != Half.toFloat(UInt16(start + i)).bitPattern { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("rounding a float to binary16 matches Swift's Float16 initializer, ties to even")
    func roundingMatchesFloat16() {
        var random = TestRandom(seed: 7)
        var inputs: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, 65536, 1e9, -1e9, .infinity, -.infinity,
                               6.1e-5, 5.96e-8, 2.98e-8, 2.99e-8, 1e-10, 0.1, 1.0009765625, 1.00048828125]
        for _ in 0..<100_000 {
            inputs.append(Float(bitPattern: UInt32.random(in: 0x3000_0000...0x4780_0000, using: &random)))
        }
        var mismatches: [Float] = []
        for x in inputs + inputs.map({ -$0 }) where Half.fromFloat(x) != Float16(x).bitPattern {
            mismatches.append(x)
        }
        #expect(mismatches.isEmpty, "first mismatches: \(mismatches.prefix(5))")
        #expect(Half.toFloat(Half.fromFloat(.nan)).isNaN)
    }
}
