/// On-disk quantization blocks, byte for byte as GGML/GGUF stores them (little-endian). Each
/// covers `Numerics.blockElements` = 32 consecutive elements of a row. The structs document the
/// layouts and serve the scalar references; the SIMD kernels read the same bytes through raw
/// pointers at the offsets named here. `BlockLayouts.check()` asserts the sizes.

/// Q4_0, 18 bytes: scale `d` (binary16) and 32 four-bit codes `n`; element = d · (n − 8).
/// Byte `j` of `qs` holds element `j` in its low nibble and element `j + 16` in its high nibble.
public struct BlockQ4_0: BitwiseCopyable {
    public var d: UInt16
    public var qs: InlineArray<16, UInt8>
}

/// Q4_1, 20 bytes: scale `d`, minimum `m` (both binary16) and 32 four-bit codes `n`;
/// element = d · n + m. Nibble order as in `BlockQ4_0`.
public struct BlockQ4_1: BitwiseCopyable {
    public var d: UInt16
    public var m: UInt16
    public var qs: InlineArray<16, UInt8>
}

/// Q8_0, 34 bytes: scale `d` (binary16) and 32 signed eight-bit codes `q`; element = d · q.
public struct BlockQ8_0: BitwiseCopyable {
    public var d: UInt16
    public var qs: InlineArray<32, Int8>
}

/// The weight formats the kernels multiply with.
public enum WeightFormat: Sendable, Equatable, CustomStringConvertible {
    case f32, f16, q4_0, q4_1, q8_0

    /// Elements per block (1 for the float formats).
    public var blockElements: Int {
        switch self {
        case .f32, .f16: 1
        case .q4_0, .q4_1, .q8_0: Numerics.blockElements
        }
    }

    /// Bytes per block.
    public var blockBytes: Int {
        switch self {
        case .f32: 4
        case .f16: 2
        case .q4_0: BlockLayouts.q4_0Bytes
        case .q4_1: BlockLayouts.q4_1Bytes
        case .q8_0: BlockLayouts.q8_0Bytes
        }
    }

    /// Bytes one row of `columns` elements occupies; `columns` must be a whole number of blocks.
    public func rowBytes(columns: Int) -> Int {
        precondition(columns % blockElements == 0, "\(self) rows need a multiple of \(blockElements) columns")
        return columns / blockElements * blockBytes
    }

    public var description: String {
        switch self {
        case .f32: "F32"
        case .f16: "F16"
        case .q4_0: "Q4_0"
        case .q4_1: "Q4_1"
        case .q8_0: "Q8_0"
        }
    }
}

/// Sizes of the block structs and the byte offsets the SIMD kernels use.
public enum BlockLayouts {
    public static let q4_0Bytes = 18
    public static let q4_1Bytes = 20
    public static let q8_0Bytes = 34
    /// Offset of the nibbles in a Q4_0 block and of the codes in a Q8_0 block.
    public static let codesOffsetAfterScale = 2
    /// Offset of the nibbles in a Q4_1 block (after `d` and `m`).
    public static let q4_1CodesOffset = 4

    /// Asserts that the Swift structs match the on-disk sizes (no padding). Cheap; call at load.
    public static func check() {
        precondition(MemoryLayout<BlockQ4_0>.size == q4_0Bytes && MemoryLayout<BlockQ4_0>.stride == q4_0Bytes,
                     "BlockQ4_0 must be 18 bytes without padding")
        precondition(MemoryLayout<BlockQ4_1>.size == q4_1Bytes && MemoryLayout<BlockQ4_1>.stride == q4_1Bytes,
                     "BlockQ4_1 must be 20 bytes without padding")
        precondition(MemoryLayout<BlockQ8_0>.size == q8_0Bytes && MemoryLayout<BlockQ8_0>.stride == q8_0Bytes,
                     "BlockQ8_0 must be 34 bytes without padding")
        precondition(MemoryLayout<BlockQ4_1>.offset(of: \.qs) == q4_1CodesOffset)
        precondition(MemoryLayout<BlockQ4_0>.offset(of: \.qs) == codesOffsetAfterScale)
        precondition(MemoryLayout<BlockQ8_0>.offset(of: \.qs) == codesOffsetAfterScale)
    }
}
