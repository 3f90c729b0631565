/// A read-only view of a weight matrix stored row-major in `format` (typically inside a memory-
/// mapped GGUF file): `rows` output rows of `columns` elements each, rows `rowBytes` apart.
/// The view does not own or copy the bytes; whoever made it keeps them alive.
public struct WeightMatrix: @unchecked Sendable {
    public let format: WeightFormat
    /// Output dimension.
    public let rows: Int
    /// Input dimension (elements per row).
    public let columns: Int
    public let base: UnsafeRawPointer
    public let rowBytes: Int

    public init(format: WeightFormat, rows: Int, columns: Int, base: UnsafeRawPointer) {
        precondition(rows > 0 && columns > 0)
        self.format = format
        self.rows = rows
        self.columns = columns
        self.base = base
        rowBytes = format.rowBytes(columns: columns)
    }

    /// Bytes the whole matrix occupies.
    public var byteCount: Int { rows * rowBytes }

    /// Pointer to the first block (or element) of row `i`.
    @inline(__always)
    public func row(_ i: Int) -> UnsafeRawPointer { base + i * rowBytes }

    /// Whether products with this matrix take quantized activations (`Q8Activations`).
    public var takesQuantizedActivations: Bool {
        switch format {
        case .q4_0, .q4_1, .q8_0: true
        case .f32, .f16: false
        }
    }

    /// Row `i` converted to floats into `destination` (`columns` elements); quantized rows are
    /// dequantized element = d·n (+ m) with one rounding per operation.
    public func dequantizeRow(_ i: Int, into destination: UnsafeMutablePointer<Float>) {
        let p = row(i)
        switch format {
        case .f32:
            destination.update(from: p.assumingMemoryBound(to: Float.self), count: columns)
        case .f16:
            for j in 0..<columns {
                destination[j] = Half.toFloat(p.loadUnaligned(fromByteOffset: 2 * j, as: UInt16.self))
            }
        case .q4_0, .q4_1, .q8_0:
            for b in 0..<(columns / Numerics.blockElements) {
                Dequantize.block(format, p + b * format.blockBytes, into: destination + b * Numerics.blockElements)
            }
        }
    }
}

/// Block dequantization (embedding lookups and tests; not on the matrix-product path).
public enum Dequantize {
    /// The 32 elements of one block: Q4_0 d·(n−8), Q4_1 d·n + m, Q8_0 d·q.
    public static func block(_ format: WeightFormat, _ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        switch format {
        case .q4_0:
            let w = block.load(as: BlockQ4_0.self)
            let d = Half.toFloat(w.d)
            for j in 0..<16 {
                out[j] = d * Float(Int32(w.qs[j] & 0x0F) - 8)
                out[j + 16] = d * Float(Int32(w.qs[j] >> 4) - 8)
            }
        case .q4_1:
            let w = block.load(as: BlockQ4_1.self)
            let d = Half.toFloat(w.d), m = Half.toFloat(w.m)
            for j in 0..<16 {
                out[j] = d * Float(w.qs[j] & 0x0F) + m
                out[j + 16] = d * Float(w.qs[j] >> 4) + m
            }
        case .q8_0:
            let w = block.load(as: BlockQ8_0.self)
            let d = Half.toFloat(w.d)
            for j in 0..<32 { out[j] = d * Float(w.qs[j]) }
        case .f32, .f16:
            preconditionFailure("\(format) has no blocks")
        }
    }
}
