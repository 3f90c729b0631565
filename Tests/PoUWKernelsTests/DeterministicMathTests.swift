import Foundation
import PoUWKernels
import Testing

@Suite struct DeterministicMathTests {
    static let specials: [Float] = [0, -0, 1, -1, 88.72283, 88.7229, 89, 100, -87.33654, -87.34, -90, -1000,
                                    .infinity, -.infinity, .nan, 1e-30, -1e-30, 0.5, -0.5, 20, -20]

    @Test("SIMD exp equals the scalar exp bit for bit, including out-of-range inputs and NaN")
    func simdMatchesScalar() {
        var random = TestRandom(seed: 21)
        var inputs = Self.specials + random.floats(20_000, scale: 100)
        inputs += (0..<(16 - inputs.count % 16)).map { Float($0) }
        var mismatches = 0
        for start in stride(from: 0, to: inputs.count, by: 16) {
            var v = SIMD16<Float>()
            for i in 0..<16 { v[i] = inputs[start + i] }
            let e = DeterministicMath.exp(v)
            for i in 0..<16 {
                let s = DeterministicMath.exp(inputs[start + i])
                if e[i].bitPattern != s.bitPattern && !(e[i].isNaN && s.isNaN) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("exp is within 2 ulp of the true value on the normal range")
    func accuracy() {
        var random = TestRandom(seed: 22)
        var worst: Double = 0
        for x in random.floats(100_000, scale: 87) {
            let truth = Foundation.exp(Double(x))
            let got = Double(DeterministicMath.exp(x))
            worst = max(worst, abs(got - truth) / Double(Float(truth).ulp))
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        #expect(DeterministicMath.exp(100) == .infinity && DeterministicMath.exp(-100) == 0)
        #expect(DeterministicMath.exp(.nan).isNaN && DeterministicMath.exp(0) == 1)
    }
}

@Suite struct ScalarMathTests {
    @Test("double exp, log, pow and sin/cos agree with the platform's libm to 1e-14 relative")
    func agreesWithLibm() {
        var random = TestRandom(seed: 23)
        for _ in 0..<2000 {
            let x = Double.random(in: -700...700, using: &random)
            #expect(abs(ScalarMath.exp(x) / Foundation.exp(x) - 1) < 1e-14)
            let y = Double.random(in: 1e-300...1e300, using: &random)
            #expect(abs(ScalarMath.log(y) - Foundation.log(y)) <= 1e-14 * max(1, abs(Foundation.log(y))))
            let t = Double.random(in: -9000...9000, using: &random)
            let (s, c) = ScalarMath.sinCos(t)
            #expect(abs(s - Foundation.sin(t)) < 1e-14 && abs(c - Foundation.cos(t)) < 1e-14)
        }
        #expect(abs(ScalarMath.pow(100_000, -2.0 / 64) / Foundation.pow(100_000, -2.0 / 64) - 1) < 1e-14)
    }
}
