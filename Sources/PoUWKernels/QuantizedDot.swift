/// Dot products of quantized weight rows with one quantized activation row (`Numerics`, rules 1–3):
/// exact integer block sums, `BlockFormula` per block, blocks summed in order. Four weight rows are
/// processed together so that each activation block is widened once for all of them; a lone row
/// gives the same bits. The SIMD block sums are Int32 vector products reduced with `wrappedSum`
/// (exact); the references sum scalar Int32 products.
public enum QuantizedDot {
    /// Row `row` (a pointer to its first block) of a `format` matrix times activation row `r`.
    public static func dot(_ format: WeightFormat, row: UnsafeRawPointer, _ act: Q8Activations, activationRow r: Int)
        -> Float
    {
        let a = ActivationRow(act, r)
        switch format {
        case .q4_0: return RowKernel<Q4_0Codes>.dot(row, a)
        case .q4_1: return RowKernel<Q4_1Codes>.dot(row, a)
        case .q8_0: return RowKernel<Q8_0Codes>.dot(row, a)
        case .f32, .f16: preconditionFailure("\(format) rows take float activations")
        }
    }

    /// Rows `rows` of `m` times activation row `r`, into `out[i]` for each row i.
    static func multiply(_ m: WeightMatrix, rows: Range<Int>, _ act: Q8Activations, activationRow r: Int,
                         into out: UnsafeMutablePointer<Float>) {
        let a = ActivationRow(act, r)
        switch m.format {
        case .q4_0: RowKernel<Q4_0Codes>.multiply(m, rows: rows, a, into: out)
        case .q4_1: RowKernel<Q4_1Codes>.multiply(m, rows: rows, a, into: out)
        case .q8_0: RowKernel<Q8_0Codes>.multiply(m, rows: rows, a, into: out)
        case .f32, .f16: preconditionFailure("\(m.format) rows take float activations")
        }
    }

    /// Rows `rows` of `m` times activation rows 0..<count, into `out[r·outStride + i]`.
    static func multiply(_ m: WeightMatrix, rows: Range<Int>, _ act: Q8Activations, count: Int,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        switch m.format {
        case .q4_0: RowKernel<Q4_0Codes>.multiply(m, rows: rows, act, count: count, into: out, outStride: outStride)
        case .q4_1: RowKernel<Q4_1Codes>.multiply(m, rows: rows, act, count: count, into: out, outStride: outStride)
        case .q8_0: RowKernel<Q8_0Codes>.multiply(m, rows: rows, act, count: count, into: out, outStride: outStride)
        case .f32, .f16: preconditionFailure("\(m.format) rows take float activations")
        }
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

/// One quantized activation row: codes, scales dₐ and sₐ.
struct ActivationRow {
    let codes: UnsafePointer<Int8>
    let scales: UnsafePointer<Float>
    let scaledSums: UnsafePointer<Float>

    init(_ act: Q8Activations, _ r: Int) {
        codes = UnsafePointer(act.codes + r * act.columns)
        scales = UnsafePointer(act.scales + r * act.blocks)
        scaledSums = UnsafePointer(act.scaledSums + r * act.blocks)
        codeSums = UnsafePointer(act.codeSums + r * act.blocks)
        blocks = act.blocks
    }

    let codeSums: UnsafePointer<Int32>
    let blocks: Int

    /// Block `b`'s 32 codes, sign-extended to Int32 (elements 0…15, 16…31).
    @inline(__always)
    func widened(_ b: Int) -> (SIMD16<Int32>, SIMD16<Int32>) {
        let raw = UnsafeRawPointer(codes + b &* 32)
        return (SIMDSupport.widen(raw.loadUnaligned(as: SIMD16<Int8>.self)),
                SIMDSupport.widen(raw.loadUnaligned(fromByteOffset: 16, as: SIMD16<Int8>.self)))
    }
}

/// How a block format's codes enter the exact integer sum and the block formula.
protocol BlockCodes {
    static var blockBytes: Int { get }
    /// The block's 32 codes plus `offset`, as Int32 (elements 0…15, 16…31). An offset makes
    /// signed codes unsigned, which LLVM multiplies with `pmaddwd` instead of `pmulld`.
    static func widened(_ block: UnsafeRawPointer) -> (SIMD16<Int32>, SIMD16<Int32>)
    /// What `widened` adds to every code; the sum subtracts offset · Σqᵢ.
    static var offset: Int32 { get }
    /// `acc + BlockFormula(...)` for four rows at once (lane-wise the scalar formula).
    static func accumulate(_ acc: SIMD4<Float>, _ isum: SIMD4<Float>, d: SIMD4<Float>, m: SIMD4<Float>,
                           _ activationScale: Float, _ activationScaledSum: Float) -> SIMD4<Float>
    /// The minimum of the block (Q4_1), else 0 (unused).
    static func minimum(_ table: HalfTable, _ block: UnsafeRawPointer) -> Float
}

enum Q4_1Codes: BlockCodes {
    static let blockBytes = BlockLayouts.q4_1Bytes
    static let offset: Int32 = 0

    @inline(__always)
    static func widened(_ block: UnsafeRawPointer) -> (SIMD16<Int32>, SIMD16<Int32>) {
        let q = block.loadUnaligned(fromByteOffset: BlockLayouts.q4_1CodesOffset, as: SIMD16<UInt8>.self)
        return (SIMDSupport.widen(q & 0x0F), SIMDSupport.widen(q &>> 4))
    }

    @inline(__always)
    static func accumulate(_ acc: SIMD4<Float>, _ isum: SIMD4<Float>, d: SIMD4<Float>, m: SIMD4<Float>,
                           _ activationScale: Float, _ activationScaledSum: Float) -> SIMD4<Float> {
        acc + (isum * (d * SIMD4(repeating: activationScale)) + m * SIMD4(repeating: activationScaledSum))
    }

    @inline(__always)
    static func minimum(_ table: HalfTable, _ block: UnsafeRawPointer) -> Float { table.load(block, 2) }
}

enum Q4_0Codes: BlockCodes {
    static let blockBytes = BlockLayouts.q4_0Bytes
    static let offset: Int32 = 0

    @inline(__always)
    static func widened(_ block: UnsafeRawPointer) -> (SIMD16<Int32>, SIMD16<Int32>) {
        let q = block.loadUnaligned(fromByteOffset: BlockLayouts.codesOffsetAfterScale, as: SIMD16<UInt8>.self)
        let eight = SIMD16<Int32>(repeating: 8)
        return (SIMDSupport.widen(q & 0x0F) &- eight, SIMDSupport.widen(q &>> 4) &- eight)
    }

    @inline(__always)
    static func accumulate(_ acc: SIMD4<Float>, _ isum: SIMD4<Float>, d: SIMD4<Float>, m: SIMD4<Float>,
                           _ activationScale: Float, _ activationScaledSum: Float) -> SIMD4<Float> {
        acc + isum * (d * SIMD4(repeating: activationScale))
    }

    @inline(__always)
    static func minimum(_ table: HalfTable, _ block: UnsafeRawPointer) -> Float { 0 }
}

enum Q8_0Codes: BlockCodes {
    static let blockBytes = BlockLayouts.q8_0Bytes
    static let offset: Int32 = 128

    @inline(__always)
    static func widened(_ block: UnsafeRawPointer) -> (SIMD16<Int32>, SIMD16<Int32>) {
        let w = block + BlockLayouts.codesOffsetAfterScale
        let flip = SIMD16<UInt8>(repeating: 0x80)  // q + 128 as an unsigned byte
        return (SIMDSupport.widen(w.loadUnaligned(as: SIMD16<UInt8>.self) ^ flip),
                SIMDSupport.widen(w.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self) ^ flip))
    }

    @inline(__always)
    static func accumulate(_ acc: SIMD4<Float>, _ isum: SIMD4<Float>, d: SIMD4<Float>, m: SIMD4<Float>,
                           _ activationScale: Float, _ activationScaledSum: Float) -> SIMD4<Float> {
        acc + isum * (d * SIMD4(repeating: activationScale))
    }

    @inline(__always)
    static func minimum(_ table: HalfTable, _ block: UnsafeRawPointer) -> Float { 0 }
}

extension BlockCodes {
    /// Σ wᵢ·qᵢ of the block at `block` with activation block `b` of `a` (exact).
    @inline(__always)
    static func sum(_ block: UnsafeRawPointer, _ a0: SIMD16<Int32>, _ a1: SIMD16<Int32>, codeSum: Int32) -> Int32 {
        let (w0, w1) = widened(block)
        return sum(w0, w1, a0, a1, codeSum: codeSum)
    }

    @inline(__always)
    static func sum(_ w0: SIMD16<Int32>, _ w1: SIMD16<Int32>, _ a0: SIMD16<Int32>, _ a1: SIMD16<Int32>,
                    codeSum: Int32) -> Int32 {
        SIMDSupport.sum(w0 &* a0 &+ w1 &* a1) &- offset &* codeSum
    }
}

/// Matrix-vector kernels for one block format. Four rows share each widened activation block;
/// every row's value is computed lane-wise exactly as a single row would be.
enum RowKernel<Codes: BlockCodes> {
    static func multiply(_ m: WeightMatrix, rows: Range<Int>, _ a: ActivationRow,
                         into out: UnsafeMutablePointer<Float>) {
        var i = rows.lowerBound
        while i + 4 <= rows.upperBound {
            let v = dot4(m.row(i), rowBytes: m.rowBytes, a)
            out[i] = v[0]
            out[i + 1] = v[1]
            out[i + 2] = v[2]
            out[i + 3] = v[3]
            i += 4
        }
        while i < rows.upperBound {
            out[i] = dot(m.row(i), a)
            i += 1
        }
    }

    /// Four consecutive rows starting at `row`.
    static func dot4(_ row: UnsafeRawPointer, rowBytes: Int, _ a: ActivationRow) -> SIMD4<Float> {
        let table = Half.table
        var acc = SIMD4<Float>()
        for b in 0..<a.blocks {
            let r0 = row + b &* Codes.blockBytes, r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes
            let (a0, a1) = a.widened(b)
            let c = a.codeSums[b]
            let isum = SIMD4<Float>(Float(Codes.sum(r0, a0, a1, codeSum: c)), Float(Codes.sum(r1, a0, a1, codeSum: c)),
                                    Float(Codes.sum(r2, a0, a1, codeSum: c)), Float(Codes.sum(r3, a0, a1, codeSum: c)))
            let d = SIMD4<Float>(table.load(r0, 0), table.load(r1, 0), table.load(r2, 0), table.load(r3, 0))
            let m = SIMD4<Float>(Codes.minimum(table, r0), Codes.minimum(table, r1), Codes.minimum(table, r2),
                                 Codes.minimum(table, r3))
            acc = Codes.accumulate(acc, isum, d: d, m: m, a.scales[b], a.scaledSums[b])
        }
        return acc
    }

    /// Rows `rows` of `m` times activation rows 0..<count (a few), into `out[r·outStride + i]`: four
    /// weight rows are widened once per block for all activation rows. Same bits as `dot` per element.
    static func multiply(_ m: WeightMatrix, rows: Range<Int>, _ act: Q8Activations, count: Int,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        let table = Half.table
        let activations = (0..<count).map { ActivationRow(act, $0) }
        withUnsafeTemporaryAllocation(of: SIMD4<Float>.self, capacity: count) { acc in
            var i = rows.lowerBound
            while i + 4 <= rows.upperBound {
                acc.initialize(repeating: SIMD4<Float>())
                let row = m.row(i)
                for b in 0..<act.blocks {
                    let r0 = row + b &* Codes.blockBytes, r1 = r0 + m.rowBytes, r2 = r1 + m.rowBytes
                    let r3 = r2 + m.rowBytes
                    let (w00, w01) = Codes.widened(r0), (w10, w11) = Codes.widened(r1)
                    let (w20, w21) = Codes.widened(r2), (w30, w31) = Codes.widened(r3)
                    let d = SIMD4<Float>(table.load(r0, 0), table.load(r1, 0), table.load(r2, 0), table.load(r3, 0))
                    let mins = SIMD4<Float>(Codes.minimum(table, r0), Codes.minimum(table, r1),
                                            Codes.minimum(table, r2), Codes.minimum(table, r3))
                    for r in 0..<count {
                        let a = activations[r]
                        let (a0, a1) = a.widened(b)
                        let c = a.codeSums[b]
                        let isum = SIMD4<Float>(Float(Codes.sum(w00, w01, a0, a1, codeSum: c)),
                                                Float(Codes.sum(w10, w11, a0, a1, codeSum: c)),
                                                Float(Codes.sum(w20, w21, a0, a1, codeSum: c)),
                                                Float(Codes.sum(w30, w31, a0, a1, codeSum: c)))
                        acc[r] = Codes.accumulate(acc[r], isum, d: d, m: mins, a.scales[b], a.scaledSums[b])
                    }
                }
                for r in 0..<count {
                    for j in 0..<4 { out[r * outStride + i + j] = acc[r][j] }
                }
                i += 4
            }
            while i < rows.upperBound {
                for (r, a) in activations.enumerated() { out[r * outStride + i] = dot(m.row(i), a) }
                i += 1
            }
        }
    }

    /// One row (the same bits as its lane of `dot4`).
    static func dot(_ row: UnsafeRawPointer, _ a: ActivationRow) -> Float {
        let table = Half.table
        var acc = SIMD4<Float>()
        for b in 0..<a.blocks {
            let r0 = row + b &* Codes.blockBytes
            let (a0, a1) = a.widened(b)
            let isum = SIMD4<Float>(repeating: Float(Codes.sum(r0, a0, a1, codeSum: a.codeSums[b])))
            acc = Codes.accumulate(acc, isum, d: SIMD4(repeating: table.load(r0, 0)),
                                   m: SIMD4(repeating: Codes.minimum(table, r0)), a.scales[b], a.scaledSums[b])
        }
        return acc[0]
    }
}
