/// A deterministic `exp` for the sampler's softmax: the same bits on every platform, because it uses
/// only IEEE-754 double additions, subtractions and multiplications in a fixed order (no libm, no fused
/// multiply-add). Accurate to a few ulp, far finer than the 16-bit weights the sampler keeps.
enum SamplerExp {
    static let log2e = 1.4426950408889634
    /// ln 2 split so that `k * ln2High` is exact for |k| < 2^11 (Cody–Waite reduction).
    static let ln2High = 6.93147180369123816490e-01
    static let ln2Low = 1.90821492927058770002e-10
    /// 1/n! for n = 2...13: the Taylor series of exp(r) - 1 - r, enough for |r| <= ln2/2.
    static let coefficients: [Double] = [
        1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362_880,
        1.0 / 3_628_800, 1.0 / 39_916_800, 1.0 / 479_001_600, 1.0 / 6_227_020_800,
    ]

    /// e^x for x <= 0 (the softmax only needs those); 0 below -745, where e^x underflows.
    static func exp(_ x: Double) -> Double {
        precondition(x <= 0 || x.isNaN, "SamplerExp.exp is defined for x <= 0")
        guard x >= -745 else { return 0 }  // also maps -infinity to 0
        guard !x.isNaN else { return 0 }
        let k = (x * log2e).rounded(.toNearestOrEven)
        let r = (x - k * ln2High) - k * ln2Low
        // Horner from the highest coefficient down: p = c2 + r(c3 + r(... + r c13)).
        var p = coefficients[coefficients.count - 1]
        for index in stride(from: coefficients.count - 2, through: 0, by: -1) {
            p = coefficients[index] + r * p
        }
        let expR = 1 + (r + r * r * p)
        return scaleByPowerOfTwo(expR, Int(k))
    }

    /// value * 2^exponent for value in [0.5, 2] and exponent in -1075...0, built by exact steps.
    static func scaleByPowerOfTwo(_ value: Double, _ exponent: Int) -> Double {
        var result = value
        var remaining = exponent
        // 2^-1000 and smaller powers are multiplied in parts that stay normal, so each step is exact
        // until the final rounding into the subnormal range.
        while remaining < -1000 {
            result *= 0x1p-1000
            remaining += 1000
        }
        return result * Double(sign: .plus, exponent: remaining, significand: 1)
    }
}
