/// Dot products of one quantized weight row with one quantized activation row (`Numerics`,
/// rules 1–3): exact integer block sums, `BlockFormula` per block, blocks summed in order.
/// The SIMD versions evaluate the integer sums in exact float arithmetic; the references in Int32.
public enum QuantizedDot {
    /// Row `row` (a pointer to its first block) of a `format` matrix times activation row `r`.
    public static func dot(_ format: WeightFormat, row: UnsafeRawPointer, _ act: Q8Activations, activationRow r: Int)
        -> Float
    {
        let codes = act.codesFloat + r * act.columns
        let scales = act.scales + r * act.blocks
        let scaledSums = act.scaledSums + r * act.blocks
        switch format {
        case .q4_0: return dotQ4_0Q8(row, codes, scales, blocks: act.blocks)
        case .q4_1: return dotQ4_1Q8(row, codes, scales, scaledSums, blocks: act.blocks)
        case .q8_0: return dotQ8_0Q8(row, codes, scales, blocks: act.blocks)
        case .f32, .f16: preconditionFailure("\(format) rows take float activations")
        }
    }

    /// Q4_1 row · Q8 row (SIMD).
    static func dotQ4_1Q8(_ row: UnsafeRawPointer, _ codes: UnsafePointer<Float>, _ scales: UnsafePointer<Float>,
                          _ scaledSums: UnsafePointer<Float>, blocks: Int) -> Float {
        var acc: Float = 0
        for b in 0..<blocks {
            let block = row + b &* BlockLayouts.q4_1Bytes
            let isum = WeightUnpack.q4_1Sum(block, codes + b &* 32)
            let d = Half.toFloat(block.loadUnaligned(as: UInt16.self))
            let m = Half.toFloat(block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
            acc = acc + BlockFormula.scaledWithMinimum(isum, d: d, m: m, activationScale: scales[b],
                                                       activationScaledSum: scaledSums[b])
        }
        return acc
    }

    /// Q4_0 row · Q8 row (SIMD).
    static func dotQ4_0Q8(_ row: UnsafeRawPointer, _ codes: UnsafePointer<Float>, _ scales: UnsafePointer<Float>,
                          blocks: Int) -> Float {
        var acc: Float = 0
        for b in 0..<blocks {
            let block = row + b &* BlockLayouts.q4_0Bytes
            let isum = WeightUnpack.q4_0Sum(block, codes + b &* 32)
            let d = Half.toFloat(block.loadUnaligned(as: UInt16.self))
            acc = acc + BlockFormula.scaled(isum, d: d, activationScale: scales[b])
        }
        return acc
    }

    /// Q8_0 row · Q8 row (SIMD).
    static func dotQ8_0Q8(_ row: UnsafeRawPointer, _ codes: UnsafePointer<Float>, _ scales: UnsafePointer<Float>,
                          blocks: Int) -> Float {
        var acc: Float = 0
        for b in 0..<blocks {
            let block = row + b &* BlockLayouts.q8_0Bytes
            let isum = WeightUnpack.q8_0Sum(block, codes + b &* 32)
            let d = Half.toFloat(block.loadUnaligned(as: UInt16.self))
            acc = acc + BlockFormula.scaled(isum, d: d, activationScale: scales[b])
        }
        return acc
    }

    /// Scalar reference of `dot` for activation row `r` (same bits), with Int32 block sums.
    public static func dotReference(_ format: WeightFormat, row: UnsafeRawPointer, _ act: Q8Activations,
                                    activationRow r: Int) -> Float {
        var acc: Float = 0
        for b in 0..<act.blocks {
            let codes = act.codes + r * act.columns + b * Numerics.blockElements
            let scale = act.scales[r * act.blocks + b]
            let scaledSum = act.scaledSums[r * act.blocks + b]
            acc = acc + blockValueReference(format, row + b * format.blockBytes, codes, scale, scaledSum)
        }
        return acc
    }

    /// One block's value by the reference route: Int32 sum, then `BlockFormula`.
    static func blockValueReference(_ format: WeightFormat, _ block: UnsafeRawPointer, _ codes: UnsafePointer<Int8>,
                                    _ scale: Float, _ scaledSum: Float) -> Float {
        switch format {
        case .q4_0:
            let w = block.load(as: BlockQ4_0.self)
            var isum: Int32 = 0
            for j in 0..<16 {
                isum += (Int32(w.qs[j] & 0x0F) - 8) * Int32(codes[j])
                isum += (Int32(w.qs[j] >> 4) - 8) * Int32(codes[j + 16])
            }
            return BlockFormula.scaled(Float(isum), d: Half.toFloat(w.d), activationScale: scale)
        case .q4_1:
            let w = block.load(as: BlockQ4_1.self)
            var isum: Int32 = 0
            for j in 0..<16 {
                isum += Int32(w.qs[j] & 0x0F) * Int32(codes[j])
                isum += Int32(w.qs[j] >> 4) * Int32(codes[j + 16])
            }
            return BlockFormula.scaledWithMinimum(Float(isum), d: Half.toFloat(w.d), m: Half.toFloat(w.m),
                                                  activationScale: scale, activationScaledSum: scaledSum)
        case .q8_0:
            let w = block.load(as: BlockQ8_0.self)
            var isum: Int32 = 0
            for j in 0..<32 { isum += Int32(w.qs[j]) * Int32(codes[j]) }
            return BlockFormula.scaled(Float(isum), d: Half.toFloat(w.d), activationScale: scale)
        case .f32, .f16:
            preconditionFailure("\(format) has no blocks")
        }
    }
}

/// Block unpacking shared by the SIMD kernels: codes to exact floats, and exact block sums.
enum WeightUnpack {
    /// Σ nᵢ·qᵢ of a Q4_1 block (exact).
    @inline(__always)
    static func q4_1Sum(_ block: UnsafeRawPointer, _ codes: UnsafePointer<Float>) -> Float {
        let (lo, hi) = nibbles(block + BlockLayouts.q4_1CodesOffset)
        return exactSum(lo, hi, codes)
    }

    /// Σ (nᵢ − 8)·qᵢ of a Q4_0 block (exact).
    @inline(__always)
    static func q4_0Sum(_ block: UnsafeRawPointer, _ codes: UnsafePointer<Float>) -> Float {
        let (lo, hi) = nibbles(block + BlockLayouts.codesOffsetAfterScale)
        let eight = SIMD16<Float>(repeating: 8)
        return exactSum(lo - eight, hi - eight, codes)
    }

    /// Σ wᵢ·qᵢ of a Q8_0 block (exact).
    @inline(__always)
    static func q8_0Sum(_ block: UnsafeRawPointer, _ codes: UnsafePointer<Float>) -> Float {
        let (w0, w1) = bytes(block + BlockLayouts.codesOffsetAfterScale)
        return exactSum(w0, w1, codes)
    }

    /// Low nibbles (elements 0…15) and high nibbles (16…31) of 16 bytes, as floats.
    @inline(__always)
    static func nibbles(_ p: UnsafeRawPointer) -> (SIMD16<Float>, SIMD16<Float>) {
        let q = p.loadUnaligned(as: SIMD16<UInt8>.self)
        return (SIMDSupport.toFloat(q & 0x0F), SIMDSupport.toFloat(q &>> 4))
    }

    /// 32 signed bytes as floats.
    @inline(__always)
    static func bytes(_ p: UnsafeRawPointer) -> (SIMD16<Float>, SIMD16<Float>) {
        (SIMDSupport.toFloat(p.loadUnaligned(as: SIMD16<Int8>.self)),
         SIMDSupport.toFloat(p.loadUnaligned(fromByteOffset: 16, as: SIMD16<Int8>.self)))
    }

    /// Σ over 32 elements of w·q, exact because every partial sum is an integer below 2²⁴.
    @inline(__always)
    static func exactSum(_ w0: SIMD16<Float>, _ w1: SIMD16<Float>, _ codes: UnsafePointer<Float>) -> Float {
        let raw = UnsafeRawPointer(codes)
        let q0 = raw.loadUnaligned(as: SIMD16<Float>.self)
        let q1 = raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        return SIMDSupport.foldedSum(w0 * q0 + w1 * q1)
    }
}
