/// Float dot products and sums in the contract's fixed order (`Numerics`, rule 4): element `i`
/// is added to lane `i % 16` in index order, then the 16 lanes fold l += l+8, l += l+4, l += l+2,
/// and the result is l0 + l1. No fused multiply-add.
public enum FloatReduction {
    static let lanes = 16

    /// Σ x[i]·y[i] for i < count (SIMD).
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        let rx = UnsafeRawPointer(x), ry = UnsafeRawPointer(y)
        var i = 0
        while i &+ lanes <= count {
            let a = rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            let b = ry.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            acc = acc + a * b
            i &+= lanes
        }
        if i < count {
            // Zero padding is bit-neutral: a lane never holds −0, and x + (±0) = x for x ≠ −0.
            var a = SIMD16<Float>(), b = SIMD16<Float>()
            for j in 0..<(count &- i) {
                a[j] = x[i &+ j]
                b[j] = y[i &+ j]
            }
            acc = acc + a * b
        }
        return SIMDSupport.foldedSum(acc)
    }

    /// Σ x[i]² for i < count (SIMD).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Float {
        dot(x, x, count: count)
    }

    /// Σ x[i] for i < count (SIMD).
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD16<Float>()
        let rx = UnsafeRawPointer(x)
        var i = 0
        while i &+ lanes <= count {
            acc = acc + rx.loadUnaligned(fromByteOffset: i &* 4, as: SIMD16<Float>.self)
            i &+= lanes
        }
        if i < count {
            var a = SIMD16<Float>()
            for j in 0..<(count &- i) { a[j] = x[i &+ j] }
            acc = acc + a
        }
        return SIMDSupport.foldedSum(acc)
    }

    /// Scalar reference of `dot` (same bits).
    public static func dotReference(_ x: [Float], _ y: [Float]) -> Float {
        precondition(x.count == y.count)
        var lane = [Float](repeating: 0, count: lanes)
        for i in 0..<x.count { lane[i % lanes] = lane[i % lanes] + x[i] * y[i] }
        return foldReference(lane)
    }

    /// Scalar reference of `sum` (same bits).
    public static func sumReference(_ x: [Float]) -> Float {
        var lane = [Float](repeating: 0, count: lanes)
        for i in 0..<x.count { lane[i % lanes] = lane[i % lanes] + x[i] }
        return foldReference(lane)
    }

    /// The lane fold of the contract, on 16 scalars.
    public static func foldReference(_ lanesIn: [Float]) -> Float {
        precondition(lanesIn.count == lanes)
        var lane = lanesIn
        var width = lanes / 2
        while width >= 1 {
            for l in 0..<width { lane[l] = lane[l] + lane[l + width] }
            width /= 2
        }
        return lane[0]
    }
}
