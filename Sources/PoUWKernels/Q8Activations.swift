/// Activation rows quantized to eight bits per 32-element block before a quantized matrix
/// product, as llama.cpp's x86 path does (`quantize_row_q8_1`), which keeps results close to it:
///
///     amax = max |xᵢ|,  q = roundToEven(xᵢ · (127 / amax))  (q = 0 when amax = 0)
///     dₐ   = half(amax / 127)          (the scale, rounded to binary16 precision)
///     sₐ   = half((amax / 127) · Σqᵢ)   (for Q4_1's minimum term)
///
/// Codes are stored three ways: `Int8` (references), `Float` row-major (exact, for the
/// matrix-vector kernels) and, when a product has several rows, `Float` tiles of 16 rows in which
/// the 16 rows of one element are adjacent (lanes = rows, for the matrix-matrix kernels).
/// Buffers are allocated once for `rowsMax` rows of `columns` elements.
public final class Q8Activations: @unchecked Sendable {
    /// Rows per tile: the lane count of the matrix-matrix kernels.
    public static let tileRows = 16
    static let codeMax: Float = 127

    /// Elements per row (a multiple of 32).
    public let columns: Int
    /// Capacity in rows.
    public let rowsMax: Int
    /// Rows quantized by the last `quantize` call.
    public private(set) var rows = 0
    /// Blocks per row.
    public let blocks: Int

    /// [rowsMax][columns] codes.
    public let codes: UnsafeMutablePointer<Int8>
    /// [rowsMax][columns] codes as floats.
    let codesFloat: UnsafeMutablePointer<Float>
    /// [rowsMax][blocks] scales dₐ.
    public let scales: UnsafeMutablePointer<Float>
    /// [rowsMax][blocks] sₐ.
    public let scaledSums: UnsafeMutablePointer<Float>
    /// [rowsMax][blocks] Σqᵢ (exact).
    public let codeSums: UnsafeMutablePointer<Int32>
    /// [tiles][blocks][32][16] codes, row `t·16 + lane` in `lane`; padding rows hold 0.
    let tileCodes: UnsafeMutablePointer<Float>
    /// The same tiles as Int16 (for the 4-bit formats, whose products fit 16-bit sums).
    let tileCodes16: UnsafeMutablePointer<Int16>
    /// [tiles][blocks][16] scales; padding rows hold 0.
    let tileScales: UnsafeMutablePointer<Float>
    /// [tiles][blocks][16] sₐ; padding rows hold 0.
    let tileScaledSums: UnsafeMutablePointer<Float>

    public init(columns: Int, rowsMax: Int) {
        precondition(columns > 0 && columns % Numerics.blockElements == 0, "columns must be a multiple of 32")
        precondition(rowsMax > 0)
        self.columns = columns
        self.rowsMax = rowsMax
        blocks = columns / Numerics.blockElements
        let tiles = (rowsMax + Self.tileRows - 1) / Self.tileRows
        codes = .allocate(capacity: rowsMax * columns)
        codesFloat = .allocate(capacity: rowsMax * columns)
        scales = .allocate(capacity: rowsMax * blocks)
        scaledSums = .allocate(capacity: rowsMax * blocks)
        codeSums = .allocate(capacity: rowsMax * blocks)
        tileCodes = .allocate(capacity: tiles * columns * Self.tileRows)
        tileCodes16 = .allocate(capacity: tiles * columns * Self.tileRows)
        tileScales = .allocate(capacity: tiles * blocks * Self.tileRows)
        tileScaledSums = .allocate(capacity: tiles * blocks * Self.tileRows)
    }

    deinit {
        codes.deallocate()
        codesFloat.deallocate()
        scales.deallocate()
        scaledSums.deallocate()
        codeSums.deallocate()
        tileCodes.deallocate()
        tileCodes16.deallocate()
        tileScales.deallocate()
        tileScaledSums.deallocate()
    }

    /// Number of 16-row tiles holding the current rows.
    public var tiles: Int { (rows + Self.tileRows - 1) / Self.tileRows }

    /// Quantizes `rows` rows of `columns` floats, row `r` starting at `source + r · stride`.
    /// Builds the tiles only when `rows > 1`.
    public func quantize(_ source: UnsafePointer<Float>, rows: Int, stride: Int) {
        precondition(rows > 0 && rows <= rowsMax, "rows \(rows) outside 1…\(rowsMax)")
        precondition(stride >= columns)
        self.rows = rows
        for r in 0..<rows {
            quantizeRow(source + r * stride, row: r)
        }
        if rows > 1 { buildTiles() }
    }

    func quantizeRow(_ x: UnsafePointer<Float>, row r: Int) {
        for b in 0..<blocks {
            let offset = r * columns + b * Numerics.blockElements
            let (scale, scaledSum, codeSum) = Self.quantizeBlock(x + b * Numerics.blockElements, codes: codes + offset,
                                                                 codesFloat: codesFloat + offset)
            scales[r * blocks + b] = scale
            scaledSums[r * blocks + b] = scaledSum
            codeSums[r * blocks + b] = codeSum
        }
    }

    /// Quantizes 32 floats (SIMD). Returns (dₐ, sₐ, Σq).
    static func quantizeBlock(_ x: UnsafePointer<Float>, codes: UnsafeMutablePointer<Int8>,
                              codesFloat: UnsafeMutablePointer<Float>) -> (Float, Float, Int32) {
        let raw = UnsafeRawPointer(x)
        let x0 = raw.loadUnaligned(as: SIMD16<Float>.self)
        let x1 = raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        let amax = SIMDSupport.maxMagnitude(x0, x1)
        let scale = amax / codeMax
        let inverse: Float = amax != 0 ? codeMax / amax : 0
        let (q0, i0) = SIMDSupport.roundToEven(x0 * SIMD16(repeating: inverse))
        let (q1, i1) = SIMDSupport.roundToEven(x1 * SIMD16(repeating: inverse))
        let out = UnsafeMutableRawPointer(codesFloat)
        out.storeBytes(of: q0, as: SIMD16<Float>.self)
        out.storeBytes(of: q1, toByteOffset: 64, as: SIMD16<Float>.self)
        let codeSum = SIMDSupport.sum(i0 &+ i1)
        let codesOut = UnsafeMutableRawPointer(codes)
        codesOut.storeBytes(of: SIMDSupport.narrow(i0), as: SIMD16<Int8>.self)
        codesOut.storeBytes(of: SIMDSupport.narrow(i1), toByteOffset: 16, as: SIMD16<Int8>.self)
        return (Half.round(scale), Half.round(scale * Float(codeSum)), codeSum)
    }

    /// Scalar reference of `quantizeBlock` (same bits): returns (codes, dₐ, sₐ).
    public static func quantizeBlockReference(_ x: [Float]) -> (codes: [Int8], scale: Float, scaledSum: Float) {
        precondition(x.count == Numerics.blockElements)
        var amax: Float = 0
        for v in x { amax = max(amax, abs(v)) }
        let scale = amax / codeMax
        let inverse: Float = amax != 0 ? codeMax / amax : 0
        var codes = [Int8](repeating: 0, count: x.count)
        var sum: Int32 = 0
        for i in 0..<x.count {
            let q = Int32((x[i] * inverse).rounded(.toNearestOrEven))
            codes[i] = Int8(q)
            sum += q
        }
        return (codes, Half.round(scale), Half.round(scale * Float(sum)))
    }

    /// Copies the row-major float codes and scales into 16-row tiles (padding rows zero).
    func buildTiles() {
        let lanes = Self.tileRows
        for t in 0..<tiles {
            let tileBase = tileCodes + t * columns * lanes
            let tileBase16 = tileCodes16 + t * columns * lanes
            let scaleBase = t * blocks * lanes
            for lane in 0..<lanes {
                let r = t * lanes + lane
                if r < rows {
                    let src = codesFloat + r * columns, src8 = codes + r * columns
                    for k in 0..<columns { tileBase[k * lanes + lane] = src[k] }
                    for k in 0..<columns { tileBase16[k * lanes + lane] = Int16(src8[k]) }
                    for b in 0..<blocks {
                        tileScales[scaleBase + b * lanes + lane] = scales[r * blocks + b]
                        tileScaledSums[scaleBase + b * lanes + lane] = scaledSums[r * blocks + b]
                    }
                } else {
                    for k in 0..<columns { tileBase[k * lanes + lane] = 0 }
                    for k in 0..<columns { tileBase16[k * lanes + lane] = 0 }
                    for b in 0..<blocks {
                        tileScales[scaleBase + b * lanes + lane] = 0
                        tileScaledSums[scaleBase + b * lanes + lane] = 0
                    }
                }
            }
        }
    }
}
