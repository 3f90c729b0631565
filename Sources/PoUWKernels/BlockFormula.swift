/// The value of one block of a quantized dot product (`Numerics`, rule 2), from the block's exact
/// integer sum `isum` (over the codes as the format defines them: Q4_0 uses n − 8, Q4_1 uses n,
/// Q8_0 uses q). Evaluated left to right, one rounding per operation, no fused multiply-add.
public enum BlockFormula {
    /// Q4_0 and Q8_0: `Float(isum) · (d · dₐ)`.
    @inline(__always)
    public static func scaled(_ isum: Float, d: Float, activationScale: Float) -> Float {
        isum * (d * activationScale)
    }

    /// Q4_1: `Float(isum) · (d · dₐ) + m · sₐ`.
    @inline(__always)
    public static func scaledWithMinimum(_ isum: Float, d: Float, m: Float, activationScale: Float,
                                         activationScaledSum: Float) -> Float {
        isum * (d * activationScale) + m * activationScaledSum
    }

    /// Lane-wise `scaled` for 16 activation rows sharing one weight block.
    @inline(__always)
    static func scaled(_ isum: SIMD16<Float>, d: Float, activationScale: SIMD16<Float>) -> SIMD16<Float> {
        isum * (SIMD16(repeating: d) * activationScale)
    }

    /// Lane-wise `scaledWithMinimum` for 16 activation rows sharing one weight block.
    @inline(__always)
    static func scaledWithMinimum(_ isum: SIMD16<Float>, d: Float, m: Float, activationScale: SIMD16<Float>,
                                  activationScaledSum: SIMD16<Float>) -> SIMD16<Float> {
        isum * (SIMD16(repeating: d) * activationScale) + SIMD16(repeating: m) * activationScaledSum
    }
}
