/// Small SIMD helpers written so that LLVM turns them into single vector instructions (loops of at
/// most 16 lanes are fully unrolled and re-vectorized; longer ones are not, so none is used).
enum SIMDSupport {
    /// 1.5 · 2²³: adding and subtracting it rounds a float of magnitude below 2²² to an integer,
    /// ties to even, in the default rounding mode; the sum's low mantissa bits hold that integer.
    static let roundingMagic: Float = 12_582_912
    static let roundingMagicBits: Int32 = 0x4B40_0000

    /// max(|a|, |b|) over all 32 lanes (exact, order-free).
    @inline(__always)
    static func maxMagnitude(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> Float {
        let mask = SIMD16<UInt32>(repeating: 0x7FFF_FFFF)
        let ua = unsafeBitCast(a, to: SIMD16<UInt32>.self) & mask
        let ub = unsafeBitCast(b, to: SIMD16<UInt32>.self) & mask
        // Non-negative floats order like their bit patterns.
        let m16 = ua.replacing(with: ub, where: ub .> ua)
        let m8 = pointwiseMax(m16.lowHalf, m16.highHalf)
        let m4 = pointwiseMax(m8.lowHalf, m8.highHalf)
        let m2 = pointwiseMax(m4.lowHalf, m4.highHalf)
        return Float(bitPattern: max(m2[0], m2[1]))
    }

    /// Rounds every lane (|x| < 2²²) to an integer, ties to even; returns it as float and as Int32.
    @inline(__always)
    static func roundToEven(_ x: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Int32>) {
        let magic = SIMD16<Float>(repeating: roundingMagic)
        let shifted = x + magic
        let rounded = shifted - magic
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- SIMD16(repeating: roundingMagicBits)
        return (rounded, integer)
    }

    /// Lanes of `a` where `mask` is set, of `b` elsewhere, by bit operations (the standard
    /// library's `replacing(with:where:)` is an element loop that LLVM often leaves scalar).
    @inline(__always)
    static func select(_ mask: SIMDMask<SIMD16<Int32>>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        let m = unsafeBitCast(mask, to: SIMD16<Int32>.self)
        let ai = unsafeBitCast(a, to: SIMD16<Int32>.self), bi = unsafeBitCast(b, to: SIMD16<Int32>.self)
        return unsafeBitCast((ai & m) | (bi & ~m), to: SIMD16<Float>.self)
    }

    /// Truncates 16 Int32 lanes to Int8.
    @inline(__always)
    static func narrow(_ x: SIMD16<Int32>) -> SIMD16<Int8> {
        var r = SIMD16<Int8>()
        for i in 0..<16 { r[i] = Int8(truncatingIfNeeded: x[i]) }
        return r
    }

    /// Zero-extends 16 bytes to Int32 (a pattern LLVM turns into one `pmovzxbd`).
    @inline(__always)
    static func widen(_ x: SIMD16<UInt8>) -> SIMD16<Int32> {
        var r = SIMD16<Int32>()
        for i in 0..<16 { r[i] = Int32(x[i]) }
        return r
    }

    /// Sign-extends 16 bytes to Int32.
    @inline(__always)
    static func widen(_ x: SIMD16<Int8>) -> SIMD16<Int32> {
        var r = SIMD16<Int32>()
        for i in 0..<16 { r[i] = Int32(x[i]) }
        return r
    }

    /// Zero-extends 16 bytes to Int16.
    @inline(__always)
    static func widen16(_ x: SIMD16<UInt8>) -> SIMD16<Int16> {
        var r = SIMD16<Int16>()
        for i in 0..<16 { r[i] = Int16(x[i]) }
        return r
    }

    /// Sign-extends 16 Int16 lanes to Int32.
    @inline(__always)
    static func widen(_ x: SIMD16<Int16>) -> SIMD16<Int32> {
        var r = SIMD16<Int32>()
        for i in 0..<16 { r[i] = Int32(x[i]) }
        return r
    }

    /// Converts 16 Int32 lanes to floats (exact below 2²⁴).
    @inline(__always)
    static func toFloat(_ x: SIMD16<Int32>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for i in 0..<16 { r[i] = Float(x[i]) }
        return r
    }

    /// Zero-extends 16 bytes to floats.
    @inline(__always)
    static func toFloat(_ x: SIMD16<UInt8>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for i in 0..<16 { r[i] = Float(x[i]) }
        return r
    }

    /// Sign-extends 16 bytes to floats.
    @inline(__always)
    static func toFloat(_ x: SIMD16<Int8>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for i in 0..<16 { r[i] = Float(x[i]) }
        return r
    }

    /// Sum of 16 lanes folded as the contract's lane tree: l += l+8, l += l+4, l += l+2, l0 + l1.
    /// Halves are taken by reinterpreting the vector as a pair (`lowHalf`/`highHalf` are element
    /// loops that LLVM does not always turn back into vector code).
    @inline(__always)
    static func foldedSum(_ v: SIMD16<Float>) -> Float {
        let h8 = unsafeBitCast(v, to: (SIMD8<Float>, SIMD8<Float>).self)
        let v8 = h8.0 + h8.1
        let h4 = unsafeBitCast(v8, to: (SIMD4<Float>, SIMD4<Float>).self)
        let v4 = h4.0 + h4.1
        let h2 = unsafeBitCast(v4, to: (SIMD2<Float>, SIMD2<Float>).self)
        let v2 = h2.0 + h2.1
        return v2[0] + v2[1]
    }

    /// Wrapping sum of 16 Int32 lanes (exact for the block sums, whose magnitude stays below 2²⁰),
    /// always inlined (the standard library's `wrappedSum` is sometimes left as a call).
    @inline(__always)
    static func sum(_ v: SIMD16<Int32>) -> Int32 {
        let h8 = unsafeBitCast(v, to: (SIMD8<Int32>, SIMD8<Int32>).self)
        let v8 = h8.0 &+ h8.1
        let h4 = unsafeBitCast(v8, to: (SIMD4<Int32>, SIMD4<Int32>).self)
        let v4 = h4.0 &+ h4.1
        let h2 = unsafeBitCast(v4, to: (SIMD2<Int32>, SIMD2<Int32>).self)
        let v2 = h2.0 &+ h2.1
        return v2[0] &+ v2[1]
    }
}
