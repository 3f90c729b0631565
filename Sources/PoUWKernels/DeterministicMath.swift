/// Single-precision exp built from +, −, × and bit operations only, so every platform computes the
/// same bits (`Numerics`, rule 6). Accuracy: within 2 ulp of the true value on the normal range.
///
/// Algorithm (Cephes `expf`): n = round(x·log₂e) (ties to even, by the 1.5·2²³ trick);
/// r = (x − n·C₁) − n·C₂ with C₁ + C₂ ≈ ln 2 (C₁ has 9 significant bits, so n·C₁ is exact);
/// e^r ≈ ((((((P₀r + P₁)r + P₂)r + P₃)r + P₄)r + P₅)·r² + r) + 1; result = e^r · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋).
/// x > 88.72283 gives +∞, x < −87.33654 gives +0 (no subnormal results), NaN stays NaN.
public enum DeterministicMath {
    static let upper: Float = 88.72283
    static let lower: Float = -87.33654
    static let log2e: Float = 1.442_695_04
    static let c1: Float = 0.693_359_375
    static let c2: Float = -2.121_944_4e-4
    static let p0: Float = 1.987_569_15e-4
    static let p1: Float = 1.398_199_950_7e-3
    static let p2: Float = 8.333_451_907_3e-3
    static let p3: Float = 4.166_579_589_4e-2
    static let p4: Float = 1.666_666_545_9e-1
    static let p5: Float = 5.000_000_120_1e-1

    /// e^x (scalar; the reference of the SIMD version, same bits).
    public static func exp(_ x: Float) -> Float {
        if x.isNaN { return x }
        if x > upper { return .infinity }
        if x < lower { return 0 }
        let shifted = x * log2e + SIMDSupport.roundingMagic
        let n = shifted - SIMDSupport.roundingMagic
        let ni = Int32(bitPattern: shifted.bitPattern) &- SIMDSupport.roundingMagicBits
        let r = (x - n * c1) - n * c2
        let poly = (((((p0 * r + p1) * r + p2) * r + p3) * r + p4) * r + p5) * (r * r) + r + 1
        let half = ni >> 1
        let scale1 = Float(bitPattern: UInt32(bitPattern: (half &+ 127) << 23))
        let scale2 = Float(bitPattern: UInt32(bitPattern: (ni &- half &+ 127) << 23))
        return poly * scale1 * scale2
    }

    /// Lane-wise e^x (SIMD), bit-identical to the scalar `exp`. Always inlined: as a call, the
    /// vector would be passed split into four 128-bit registers and computed in pieces.
    @inline(__always)
    public static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let lowerBound = SIMD16<Float>(repeating: lower), upperBound = SIMD16<Float>(repeating: upper)
        let below = x .< lowerBound, above = x .> upperBound
        // In-range lanes keep x (so they compute exactly what the scalar does); others are clamped
        // and replaced at the end. NaN compares false everywhere and is restored at the end.
        let clamped = SIMDSupport.select(above, upperBound, SIMDSupport.select(below, lowerBound, x))
        let magic = SIMD16<Float>(repeating: SIMDSupport.roundingMagic)
        let shifted = clamped * SIMD16(repeating: log2e) + magic
        let n = shifted - magic
        let ni = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- SIMD16(repeating: SIMDSupport.roundingMagicBits)
        let r = (clamped - n * SIMD16(repeating: c1)) - n * SIMD16(repeating: c2)
        var poly = SIMD16<Float>(repeating: p0) * r + SIMD16(repeating: p1)
        poly = poly * r + SIMD16(repeating: p2)
        poly = poly * r + SIMD16(repeating: p3)
        poly = poly * r + SIMD16(repeating: p4)
        poly = poly * r + SIMD16(repeating: p5)
        poly = poly * (r * r) + r + SIMD16(repeating: 1)
        let half = ni &>> 1
        let bias = SIMD16<Int32>(repeating: 127)
        let scale1 = unsafeBitCast((half &+ bias) &<< 23, to: SIMD16<Float>.self)
        let scale2 = unsafeBitCast((ni &- half &+ bias) &<< 23, to: SIMD16<Float>.self)
        var result = poly * scale1 * scale2
        result = SIMDSupport.select(above, SIMD16(repeating: .infinity), result)
        result = SIMDSupport.select(below, SIMD16(repeating: 0), result)
        return SIMDSupport.select(x .!= x, x, result)
    }
}
