/// IEEE-754 binary16 to binary32 conversion from bits, without relying on F16C hardware or a
/// runtime library call. The conversion is exact (every binary16 value is a binary32 value).
public enum Half {
    /// The binary32 value of binary16 `bits`. The magnitude bits shifted into binary32 position and
    /// multiplied by 2¹¹² (binary32 bias 127 − binary16 bias 15) give the exact value of normals and
    /// subnormals alike; infinities and NaNs keep their payload bits (a signalling NaN stays
    /// signalling).
    public static func toFloat(_ bits: UInt16) -> Float {
        let h = UInt32(bits)
        let magnitude = h & 0x7FFF
        let sign = (h & 0x8000) << 16
        let shifted = magnitude << 13
        let finite = Float(bitPattern: shifted) * 0x1p112
        let special = Float(bitPattern: shifted | 0x7F80_0000)
        let value = magnitude >= 0x7C00 ? special : finite
        return Float(bitPattern: value.bitPattern | sign)
    }

    /// Lane-wise `toFloat` for 16 binary16 values held in the low 16 bits of each lane.
    @inline(__always)
    public static func toFloat(_ bits: SIMD16<UInt32>) -> SIMD16<Float> {
        let magnitude = bits & 0x7FFF
        let sign = (bits & 0x8000) &<< 16
        let shifted = magnitude &<< 13
        let finite = unsafeBitCast(shifted, to: SIMD16<Float>.self) * SIMD16<Float>(repeating: 0x1p112)
        let special = unsafeBitCast(shifted | 0x7F80_0000, to: SIMD16<Float>.self)
        let isSpecial = unsafeBitCast(magnitude, to: SIMD16<Int32>.self) .>= SIMD16(repeating: 0x7C00)
        let value = SIMDSupport.select(isSpecial, special, finite)
        return unsafeBitCast(unsafeBitCast(value, to: SIMD16<UInt32>.self) | sign, to: SIMD16<Float>.self)
    }

    /// Converts `count` binary16 values at `source` to floats at `destination`.
    public static func toFloat(_ source: UnsafePointer<UInt16>, _ destination: UnsafeMutablePointer<Float>,
                               count: Int) {
        for i in 0..<count { destination[i] = toFloat(source[i]) }
    }

    /// `x` rounded to the nearest binary16 value (ties to even), returned as binary16 bits.
    /// Overflow gives ±infinity, NaN gives a quiet NaN, tiny values become subnormals or ±0.
    public static func fromFloat(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let magnitude = bits & 0x7FFF_FFFF
        if magnitude >= 0x7F80_0000 {
            return sign | (magnitude > 0x7F80_0000 ? 0x7E00 : 0x7C00)
        }
        if magnitude >= 0x4780_0000 { return sign | 0x7C00 }  // ≥ 65536: rounds to infinity
        if magnitude < 0x3880_0000 { return sign | subnormal(magnitude) }  // below 2⁻¹⁴
        let rebased = magnitude - (112 << 23)  // exponent bias 127 → 15
        let halfway: UInt32 = 0x0FFF + ((rebased >> 13) & 1)  // ties to even
        return sign | UInt16(truncatingIfNeeded: (rebased + halfway) >> 13)
    }

    /// Binary16 subnormal (or zero) bits for a binary32 magnitude below 2⁻¹⁴.
    static func subnormal(_ magnitude: UInt32) -> UInt16 {
        let exponent = Int(magnitude >> 23)
        if exponent < 102 { return 0 }  // below 2⁻²⁵: rounds to zero
        let mantissa = (magnitude & 0x7F_FFFF) | 0x80_0000
        let shift = UInt32(126 - exponent)  // 14…24: aligns to units of 2⁻²⁴
        let truncated = mantissa >> shift
        let remainder = mantissa & ((1 << shift) - 1)
        let half: UInt32 = 1 << (shift - 1)
        let roundUp = remainder > half || (remainder == half && truncated & 1 == 1)
        return UInt16(truncated + (roundUp ? 1 : 0))
    }

    /// `x` rounded to binary16 precision (ties to even) and widened back.
    public static func round(_ x: Float) -> Float { toFloat(fromFloat(x)) }

    /// All 65536 conversions, for kernels that convert two scales per block (a load is cheaper than
    /// the bit manipulation, and needs no F16C). Built once, on first use.
    static let table = HalfTable()
}

/// The binary16 → binary32 lookup table (256 KiB), immutable after construction.
final class HalfTable: Sendable {
    nonisolated(unsafe) let values: UnsafeMutablePointer<Float>

    init() {
        values = .allocate(capacity: 65536)
        for bits in 0...UInt16.max { values[Int(bits)] = Half.toFloat(bits) }
    }

    /// The float value of the binary16 at `p + offset`.
    @inline(__always)
    func load(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        values[Int(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))]
    }
}
