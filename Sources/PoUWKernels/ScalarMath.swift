/// Double-precision exp, log, pow, sin and cos built from +, −, ×, ÷ only (`Numerics`, rule 6),
/// for tables computed once (RoPE). Accurate to a few ulp of Double, far below Float precision,
/// and identical on every IEEE-754 platform.
public enum ScalarMath {
    static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    static let ln2Lo = 1.908_214_929_270_587_700_02e-10
    static let log2e = 1.442_695_040_888_963_387_00
    /// π/2 in three parts of 33 bits each (fdlibm): k·part is exact for |k| < 2²⁰.
    static let halfPi1 = 1.570_796_326_734_125_614_17
    static let halfPi2 = 6.077_100_506_303_965_976_60e-11
    static let halfPi3 = 2.022_266_248_711_166_455_80e-21
    static let twoOverPi = 6.366_197_723_675_813_824_33e-01
    /// Largest |x| the three-part reduction keeps exact.
    public static let trigArgumentMax = 1.0e5

    /// Round-to-nearest integer of |x| < 2⁵¹ (ties away from zero; any fixed rule would do).
    static func nearestInteger(_ x: Double) -> Double {
        x >= 0 ? (x + 0.5).rounded(.towardZero) : (x - 0.5).rounded(.towardZero)
    }

    /// e^x. Overflows to +∞ above 709.78, underflows to 0 below −745.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745 { return 0 }
        let k = nearestInteger(x * log2e)
        let r = (x - k * ln2Hi) - k * ln2Lo  // |r| ≤ 0.35
        var term = 1.0, sum = 1.0
        for i in 1...18 {
            term = term * r / Double(i)
            sum = sum + term
        }
        return scaleByPowerOfTwo(sum, Int(k))
    }

    /// Natural logarithm of x > 0 (NaN for x ≤ 0 or NaN, +∞ for +∞).
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x <= 0 { return .nan }
        if x.isInfinite { return x }
        var m = x.significand  // [1, 2)
        var e = Double(x.exponent)
        if m > 1.414_213_562_373_095_1 {
            m = m / 2
            e = e + 1
        }
        let s = (m - 1) / (m + 1)  // |s| ≤ 0.172
        let s2 = s * s
        var power = s, sum = 0.0
        var i = 1.0
        while i < 40 {
            sum = sum + power / i
            power = power * s2
            i = i + 2
        }
        return e * ln2Hi + (e * ln2Lo + 2 * sum)
    }

    /// base^exponent for base > 0, as exp(exponent · log(base)).
    public static func pow(_ base: Double, _ exponent: Double) -> Double {
        precondition(base > 0, "pow needs a positive base")
        return exp(exponent * log(base))
    }

    /// (sin x, cos x) for |x| ≤ `trigArgumentMax`.
    public static func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
        precondition(abs(x) <= trigArgumentMax, "sinCos argument \(x) beyond the exact reduction range")
        let k = nearestInteger(x * twoOverPi)
        let r = ((x - k * halfPi1) - k * halfPi2) - k * halfPi3  // |r| ≤ π/4 (+ε)
        let s = sinSeries(r), c = cosSeries(r)
        switch Int(k) & 3 {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }

    static func sinSeries(_ r: Double) -> Double {
        let r2 = r * r
        var term = r, sum = r
        for i in stride(from: 2, through: 24, by: 2) {
            term = -term * r2 / Double(i * (i + 1))
            sum = sum + term
        }
        return sum
    }

    static func cosSeries(_ r: Double) -> Double {
        let r2 = r * r
        var term = 1.0, sum = 1.0
        for i in stride(from: 2, through: 24, by: 2) {
            term = -term * r2 / Double((i - 1) * i)
            sum = sum + term
        }
        return sum
    }

    /// x · 2ⁿ by exact power-of-two factors (two steps, so |n| up to 2044 works).
    static func scaleByPowerOfTwo(_ x: Double, _ n: Int) -> Double {
        let half = n / 2
        return x * powerOfTwo(half) * powerOfTwo(n - half)
    }

    static func powerOfTwo(_ n: Int) -> Double {
        precondition(n >= -1022 && n <= 1023)
        return Double(bitPattern: UInt64(n + 1023) << 52)
    }
}
