/// Products of a weight matrix with activation rows, over a range of output rows so that a worker
/// pool can split the rows (each output element is computed by one call, start to end).
///
/// Output layout: `out[r · outStride + i]` = weight row `i` · activation row `r`.
/// Quantized matrices: one activation row uses the matrix-vector kernel (`QuantizedDot`); several
/// rows use the tiled kernel, which reads each weight block once for 16 activation rows (lanes =
/// rows) and computes exactly the same bits per element (`Numerics`, rules 1–3).
public enum MatrixProduct {
    /// Weight rows processed together by the tiled kernel.
    static let weightRowsPerGroup = 4
    /// Largest activation row count for the matrix-vector style kernel; more rows use tiles.
    static let fewRowsMax = 8
    /// Activation bytes one tile chunk may take, to stay in the L2 cache while weight rows stream.
    static let tileChunkBytesMax = 256 * 1024

    /// Quantized matrix × the rows of `act`, for output rows `rows`.
    public static func multiply(_ m: WeightMatrix, _ act: Q8Activations, rows: Range<Int>,
                                into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(m.takesQuantizedActivations, "\(m.format) matrices take float activations")
        precondition(m.columns == act.columns, "matrix has \(m.columns) columns, activations \(act.columns)")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= m.rows)
        if act.rows == 1 {
            QuantizedDot.multiply(m, rows: rows, act, activationRow: 0, into: out)
        } else if act.rows <= fewRowsMax {
            QuantizedDot.multiply(m, rows: rows, act, count: act.rows, into: out, outStride: outStride)
        } else {
            TiledProduct.multiply(m, act, rows: rows, into: out, outStride: outStride)
        }
    }

    /// Reference of `multiply` (scalar, Int32 block sums), for tests.
    public static func multiplyReference(_ m: WeightMatrix, _ act: Q8Activations, rows: Range<Int>,
                                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        for r in 0..<act.rows {
            for i in rows {
                out[r * outStride + i] = QuantizedDot.dotReference(m.format, row: m.row(i), act, activationRow: r)
            }
        }
    }

    /// Float matrix (F32, F16) × `count` float rows `x + r · xStride`, for output rows `rows`.
    /// Each element is `FloatReduction.dot` of the row (converted to floats) and the activation.
    public static func multiply(_ m: WeightMatrix, _ x: UnsafePointer<Float>, count: Int, xStride: Int,
                                rows: Range<Int>, into out: UnsafeMutablePointer<Float>, outStride: Int) {
        precondition(!m.takesQuantizedActivations, "\(m.format) matrices take quantized activations")
        precondition(rows.lowerBound >= 0 && rows.upperBound <= m.rows)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: m.columns) { scratch in
            let w = scratch.baseAddress!
            for i in rows {
                m.dequantizeRow(i, into: w)
                for r in 0..<count {
                    out[r * outStride + i] = FloatReduction.dot(w, x + r * xStride, count: m.columns)
                }
            }
        }
    }
}

/// The matrix-matrix kernel: lanes hold 16 activation rows; each weight block is unpacked once to
/// exact floats and broadcast against them. Block sums are exact, so they equal the matrix-vector
/// kernel's; the block formula and the block order are the same, hence the same bits.
enum TiledProduct {
    static let lanes = Q8Activations.tileRows
    static let group = MatrixProduct.weightRowsPerGroup

    static func multiply(_ m: WeightMatrix, _ act: Q8Activations, rows: Range<Int>,
                         into out: UnsafeMutablePointer<Float>, outStride: Int) {
        let tileBytes = act.columns * lanes * 4
        let chunkTiles = max(1, MatrixProduct.tileChunkBytesMax / tileBytes)
        let blocks = act.blocks
        withUnsafeTemporaryAllocation(of: Float.self, capacity: group * (2 * act.columns + 2 * blocks)) { buffer in
            let scratch = UnpackedRows(base: buffer.baseAddress!, columns: act.columns, blocks: blocks)
            var tileStart = 0
            while tileStart < act.tiles {
                let tileEnd = min(act.tiles, tileStart + chunkTiles)
                var i = rows.lowerBound
                while i < rows.upperBound {
                    let count = min(group, rows.upperBound - i)
                    scratch.unpack(m, firstRow: i, count: count)
                    for t in tileStart..<tileEnd {
                        let acc = tile(scratch, act, tile: t, format: m.format)
                        store(acc, count: count, tile: t, firstRow: i, act.rows, out, outStride)
                    }
                    i += count
                }
                tileStart = tileEnd
            }
        }
    }

    /// The four weight rows of `w` times tile `t`: one 16-lane result per weight row.
    static func tile(_ w: UnpackedRows, _ act: Q8Activations, tile t: Int, format: WeightFormat)
        -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    {
        var acc = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        let blocks = act.blocks
        let withMinimum = format == .q4_1, inInt16 = format != .q8_0
        for b in 0..<blocks {
            let offset = (t &* blocks &+ b) &* 32 &* lanes
            let p = inInt16 ? blockSums16(w, UnsafeRawPointer(act.tileCodes16 + offset), firstColumn: b &* 32)
                : blockSums(w, UnsafeRawPointer(act.tileCodes + offset), firstColumn: b &* 32)
            let s = (t &* blocks &+ b) &* lanes
            let scale = UnsafeRawPointer(act.tileScales + s).loadUnaligned(as: SIMD16<Float>.self)
            let j0 = b, j1 = blocks &+ b, j2 = 2 &* blocks &+ b, j3 = 3 &* blocks &+ b
            if withMinimum {
                let sums = UnsafeRawPointer(act.tileScaledSums + s).loadUnaligned(as: SIMD16<Float>.self)
                acc.0 = acc.0 + BlockFormula.scaledWithMinimum(p.0, d: w.d[j0], m: w.m[j0], activationScale: scale,
                                                               activationScaledSum: sums)
                acc.1 = acc.1 + BlockFormula.scaledWithMinimum(p.1, d: w.d[j1], m: w.m[j1], activationScale: scale,
                                                               activationScaledSum: sums)
                acc.2 = acc.2 + BlockFormula.scaledWithMinimum(p.2, d: w.d[j2], m: w.m[j2], activationScale: scale,
                                                               activationScaledSum: sums)
                acc.3 = acc.3 + BlockFormula.scaledWithMinimum(p.3, d: w.d[j3], m: w.m[j3], activationScale: scale,
                                                               activationScaledSum: sums)
            } else {
                acc.0 = acc.0 + BlockFormula.scaled(p.0, d: w.d[j0], activationScale: scale)
                acc.1 = acc.1 + BlockFormula.scaled(p.1, d: w.d[j1], activationScale: scale)
                acc.2 = acc.2 + BlockFormula.scaled(p.2, d: w.d[j2], activationScale: scale)
                acc.3 = acc.3 + BlockFormula.scaled(p.3, d: w.d[j3], activationScale: scale)
            }
        }
        return acc
    }

    /// Exact block sums of four weight rows' block (from `firstColumn`) with 16 activation rows.
    @inline(__always)
    static func blockSums(_ w: UnpackedRows, _ codes: UnsafeRawPointer, firstColumn c: Int)
        -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    {
        var p = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        let w0 = w.values + c, w1 = w0 + w.columns, w2 = w1 + w.columns, w3 = w2 + w.columns
        for k in 0..<32 {
            let a = codes.loadUnaligned(fromByteOffset: k &* 64, as: SIMD16<Float>.self)
            p.0 = p.0 + a * SIMD16(repeating: w0[k])
            p.1 = p.1 + a * SIMD16(repeating: w1[k])
            p.2 = p.2 + a * SIMD16(repeating: w2[k])
            p.3 = p.3 + a * SIMD16(repeating: w3[k])
        }
        return p
    }

    /// `blockSums` in 16-bit integers: 4-bit codes times 8-bit codes summed over 16 elements stay
    /// below 2¹⁵ (16 · 15 · 127), so each half block is summed in Int16 and widened. Exact.
    @inline(__always)
    static func blockSums16(_ w: UnpackedRows, _ codes: UnsafeRawPointer, firstColumn c: Int)
        -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    {
        var s = (SIMD16<Int32>(), SIMD16<Int32>(), SIMD16<Int32>(), SIMD16<Int32>())
        let w0 = w.values16 + c, w1 = w0 + w.columns, w2 = w1 + w.columns, w3 = w2 + w.columns
        for half in 0..<2 {
            var p = (SIMD16<Int16>(), SIMD16<Int16>(), SIMD16<Int16>(), SIMD16<Int16>())
            for k in (half &* 16)..<(half &* 16 &+ 16) {
                let a = codes.loadUnaligned(fromByteOffset: k &* 32, as: SIMD16<Int16>.self)
                p.0 = p.0 &+ a &* SIMD16(repeating: w0[k])
                p.1 = p.1 &+ a &* SIMD16(repeating: w1[k])
                p.2 = p.2 &+ a &* SIMD16(repeating: w2[k])
                p.3 = p.3 &+ a &* SIMD16(repeating: w3[k])
            }
            s.0 = s.0 &+ SIMDSupport.widen(p.0)
            s.1 = s.1 &+ SIMDSupport.widen(p.1)
            s.2 = s.2 &+ SIMDSupport.widen(p.2)
            s.3 = s.3 &+ SIMDSupport.widen(p.3)
        }
        return (SIMDSupport.toFloat(s.0), SIMDSupport.toFloat(s.1), SIMDSupport.toFloat(s.2), SIMDSupport.toFloat(s.3))
    }

    static func store(_ acc: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>), count: Int, tile t: Int,
                      firstRow i: Int, _ activationRows: Int, _ out: UnsafeMutablePointer<Float>, _ outStride: Int) {
        let valid = min(lanes, activationRows - t * lanes)
        for lane in 0..<valid {
            let o = out + (t * lanes + lane) * outStride + i
            o[0] = acc.0[lane]
            if count > 1 { o[1] = acc.1[lane] }
            if count > 2 { o[2] = acc.2[lane] }
            if count > 3 { o[3] = acc.3[lane] }
        }
    }
}

/// Four weight rows unpacked (codes as the format defines them: Q8_0 as exact floats, the 4-bit
/// formats as Int16) plus their scales: values [4][columns], values16 [4][columns], d [4][blocks],
/// m [4][blocks]. Missing rows repeat the last one.
struct UnpackedRows {
    let values: UnsafeMutablePointer<Float>
    /// The same codes as Int16 [4][columns] (4-bit formats only).
    let values16: UnsafeMutablePointer<Int16>
    let d: UnsafeMutablePointer<Float>
    let m: UnsafeMutablePointer<Float>
    let columns: Int
    let blocks: Int

    init(base: UnsafeMutablePointer<Float>, columns: Int, blocks: Int) {
        values = base
        values16 = UnsafeMutableRawPointer(base + TiledProduct.group * columns).assumingMemoryBound(to: Int16.self)
        d = base + 2 * TiledProduct.group * columns
        m = d + TiledProduct.group * blocks
        self.columns = columns
        self.blocks = blocks
    }

    func unpack(_ matrix: WeightMatrix, firstRow: Int, count: Int) {
        let table = Half.table
        for j in 0..<TiledProduct.group {
            let row = matrix.row(firstRow + min(j, count - 1))
            for b in 0..<blocks {
                let first = j * columns + b * Numerics.blockElements
                unpackBlock(matrix.format, row + b * matrix.format.blockBytes, slot: j * blocks + b,
                            values: values + first, table)
                if matrix.format != .q8_0 { unpackBlock16(matrix.format, row + b * matrix.format.blockBytes, first) }
            }
        }
    }

    /// The 4-bit codes of one block as Int16 (Q4_0: n − 8) at `values16 + first`.
    @inline(__always)
    func unpackBlock16(_ format: WeightFormat, _ block: UnsafeRawPointer, _ first: Int) {
        let offset = format == .q4_1 ? BlockLayouts.q4_1CodesOffset : BlockLayouts.codesOffsetAfterScale
        let q = block.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self)
        let bias = SIMD16<Int16>(repeating: format == .q4_0 ? 8 : 0)
        let out = UnsafeMutableRawPointer(values16 + first)
        out.storeBytes(of: SIMDSupport.widen16(q & 0x0F) &- bias, as: SIMD16<Int16>.self)
        out.storeBytes(of: SIMDSupport.widen16(q &>> 4) &- bias, toByteOffset: 32, as: SIMD16<Int16>.self)
    }

    @inline(__always)
    func unpackBlock(_ format: WeightFormat, _ block: UnsafeRawPointer, slot: Int, values: UnsafeMutablePointer<Float>,
                     _ table: HalfTable) {
        d[slot] = table.load(block, 0)
        m[slot] = format == .q4_1 ? table.load(block, 2) : 0
        if format == .q8_0 {
            let (w0, w1) = WeightUnpack.bytes(block + BlockLayouts.codesOffsetAfterScale)
            let out = UnsafeMutableRawPointer(values)
            out.storeBytes(of: w0, as: SIMD16<Float>.self)
            out.storeBytes(of: w1, toByteOffset: 64, as: SIMD16<Float>.self)
        }
    }
}

/// Q8_0 codes as exact floats, for the tiled kernel's weight unpacking.
enum WeightUnpack {
    /// 32 signed bytes as floats.
    @inline(__always)
    static func bytes(_ p: UnsafeRawPointer) -> (SIMD16<Float>, SIMD16<Float>) {
        (SIMDSupport.toFloat(p.loadUnaligned(as: SIMD16<Int8>.self)),
         SIMDSupport.toFloat(p.loadUnaligned(fromByteOffset: 16, as: SIMD16<Int8>.self)))
    }
}
