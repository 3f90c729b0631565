/// ggml tensor element types by their on-disk id (`ggml_type` in ggml.h). Ids 4, 5 and 31–33, 36–38
/// were removed from ggml and are not readable. Every case knows its block geometry, so a tensor's
/// byte size is `elements / blockElements * blockBytes`.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0, f16 = 1, q4_0 = 2, q4_1 = 3, q5_0 = 6, q5_1 = 7, q8_0 = 8, q8_1 = 9
    case q2_k = 10, q3_k = 11, q4_k = 12, q5_k = 13, q6_k = 14, q8_k = 15
    case iq2_xxs = 16, iq2_xs = 17, iq3_xxs = 18, iq1_s = 19, iq4_nl = 20, iq3_s = 21, iq2_s = 22
    case iq4_xs = 23, i8 = 24, i16 = 25, i32 = 26, i64 = 27, f64 = 28, iq1_m = 29, bf16 = 30
    case tq1_0 = 34, tq2_0 = 35, mxfp4 = 39

    /// Elements stored in one block (1 for the plain number types).
    public var blockElements: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl, .mxfp4: return 32
        case .q2_k, .q3_k, .q4_k, .q5_k, .q6_k, .q8_k, .iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq3_s,
             .iq2_s, .iq4_xs, .iq1_m, .tq1_0, .tq2_0:
            return 256
        }
    }

    /// Bytes of one block (`sizeof(block_*)` in ggml-common.h).
    public var blockBytes: Int {
        switch self {
        case .i8: return 1
        case .f16, .bf16, .i16: return 2
        case .f32, .i32: return 4
        case .f64, .i64: return 8
        case .mxfp4: return 17
        case .q4_0, .iq4_nl: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q8_1: return 36
        case .iq1_s: return 50
        case .tq1_0: return 54
        case .iq1_m: return 56
        case .iq2_xxs, .tq2_0: return 66
        case .iq2_xs: return 74
        case .iq2_s: return 82
        case .q2_k: return 84
        case .iq3_xxs: return 98
        case .q3_k, .iq3_s: return 110
        case .iq4_xs: return 136
        case .q4_k: return 144
        case .q5_k: return 176
        case .q6_k: return 210
        case .q8_k: return 292
        }
    }
}

/// One metadata value. Arrays hold values of a single type (nested arrays may differ from each other).
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array([GGUFValue])

    /// Any integer value that fits in `Int`; nil for other types.
    public var int: Int? {
        switch self {
        case let .uint8(value): return Int(value)
        case let .int8(value): return Int(value)
        case let .uint16(value): return Int(value)
        case let .int16(value): return Int(value)
        case let .uint32(value): return Int(value)
        case let .int32(value): return Int(value)
        case let .uint64(value): return Int(exactly: value)
        case let .int64(value): return Int(value)
        default: return nil
        }
    }

    /// A float32 or float64 value; nil for other types.
    public var float: Double? {
        switch self {
        case let .float32(value): return Double(value)
        case let .float64(value): return value
        default: return nil
        }
    }

    public var string: String? {
        if case let .string(value) = self { return value }
        return nil
    }

    public var array: [GGUFValue]? {
        if case let .array(value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }

    /// The on-disk type id of this value (`gguf_type`).
    public var typeID: UInt32 {
        switch self {
        case .uint8: return 0
        case .int8: return 1
        case .uint16: return 2
        case .int16: return 3
        case .uint32: return 4
        case .int32: return 5
        case .float32: return 6
        case .bool: return 7
        case .string: return 8
        case .array: return 9
        case .uint64: return 10
        case .int64: return 11
        case .float64: return 12
        }
    }
}

/// Where one tensor lies in the file and what it holds.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// Extent of each dimension, `ne[0]` first: `dimensions[0]` is the row length (contiguous elements).
    public let dimensions: [Int]
    public let type: GGMLType
    /// Byte offset of the data from the start of the data section (a multiple of the alignment).
    public let offset: Int
    /// Bytes of data: `elementCount / type.blockElements * type.blockBytes`.
    public let byteCount: Int

    /// Product of the dimensions (overflow-checked when the file was read).
    public var elementCount: Int { dimensions.reduce(1, *) }

    public init(name: String, dimensions: [Int], type: GGMLType, offset: Int, byteCount: Int) {
        self.name = name
        self.dimensions = dimensions
        self.type = type
        self.offset = offset
        self.byteCount = byteCount
    }
}

/// Bounds the reader enforces on every count and length it reads before allocating anything.
public enum GGUFLimits {
    /// Most tensors in one file (large models have a few thousand).
    public static let tensorCountMax = 65_536
    /// Most metadata key/value pairs.
    public static let keyValueCountMax = 65_536
    /// Longest string (keys, names, token texts, chat templates), in bytes.
    public static let stringBytesMax = 16 * 1024 * 1024
    /// Longest metadata array, in elements.
    public static let arrayElementsMax = 16 * 1024 * 1024
    /// Deepest nesting of arrays inside arrays.
    public static let arrayDepthMax = 4
    /// Longest tensor name, in bytes.
    public static let tensorNameBytesMax = 256
    /// Most dimensions of one tensor (ggml's GGML_MAX_DIMS).
    public static let tensorDimensionsMax = 4
    /// Most elements in one tensor (2^50, far above any model, far below overflow).
    public static let tensorElementsMax = 1 << 50
    /// Largest `general.alignment`, in bytes.
    public static let alignmentMax = 1 << 16
    /// Alignment when `general.alignment` is absent, in bytes.
    public static let alignmentDefault = 32
}
