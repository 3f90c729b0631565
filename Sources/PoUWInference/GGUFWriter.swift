/// Builds a GGUF v3 image in memory (the layout is documented in GGUFFile.swift). Used by tests to
/// make small model files. Metadata and tensors keep the order they were added in; each tensor's
/// data starts at a multiple of the alignment.
public struct GGUFWriter: Sendable {
    public let alignment: Int
    private var entries: [(key: String, value: GGUFValue)] = []
    private var tensorEntries: [(name: String, dimensions: [Int], type: GGMLType, data: [UInt8])] = []

    /// `alignment` must be a power of two; a value other than 32 is recorded as `general.alignment`.
    public init(alignment: Int = GGUFLimits.alignmentDefault) {
        precondition(alignment > 0 && alignment <= GGUFLimits.alignmentMax && alignment & (alignment - 1) == 0)
        self.alignment = alignment
        if alignment != GGUFLimits.alignmentDefault {
            entries.append((key: "general.alignment", value: .uint32(UInt32(alignment))))
        }
    }

    /// Adds a metadata entry. Keys must be unique; array elements must share one type.
    public mutating func set(_ key: String, _ value: GGUFValue) {
        precondition(!entries.contains { $0.key == key }, "duplicate metadata key \(key)")
        precondition(Self.isHomogeneous(value), "array elements of \(key) must share one type")
        entries.append((key: key, value: value))
    }

    /// Adds a tensor. `data` must hold exactly the bytes its shape and type need.
    public mutating func addTensor(name: String, dimensions: [Int], type: GGMLType, data: [UInt8]) {
        precondition(!dimensions.isEmpty && dimensions.count <= GGUFLimits.tensorDimensionsMax)
        precondition(dimensions.allSatisfy { $0 > 0 } && dimensions[0] % type.blockElements == 0)
        precondition(!tensorEntries.contains { $0.name == name }, "duplicate tensor \(name)")
        let elements = dimensions.reduce(1, *)
        precondition(data.count == elements / type.blockElements * type.blockBytes, "wrong data size for \(name)")
        tensorEntries.append((name: name, dimensions: dimensions, type: type, data: data))
    }

    /// The encoded file.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        Self.append(UInt32(0x4655_4747), to: &out)
        Self.append(UInt32(3), to: &out)
        Self.append(UInt64(tensorEntries.count), to: &out)
        Self.append(UInt64(entries.count), to: &out)
        for entry in entries {
            Self.append(string: entry.key, to: &out)
            Self.append(entry.value.typeID, to: &out)
            Self.append(value: entry.value, to: &out)
        }
        var offset = 0
        var offsets: [Int] = []
        for tensor in tensorEntries {
            offsets.append(offset)
            offset = GGUFParser.alignUp(offset + tensor.data.count, alignment).0
        }
        for (tensor, tensorOffset) in zip(tensorEntries, offsets) {
            Self.append(string: tensor.name, to: &out)
            Self.append(UInt32(tensor.dimensions.count), to: &out)
            for extent in tensor.dimensions { Self.append(UInt64(extent), to: &out) }
            Self.append(tensor.type.rawValue, to: &out)
            Self.append(UInt64(tensorOffset), to: &out)
        }
        pad(&out)
        for tensor in tensorEntries {
            out.append(contentsOf: tensor.data)
            pad(&out)
        }
        return out
    }

    private func pad(_ out: inout [UInt8]) {
        let target = GGUFParser.alignUp(out.count, alignment).0
        out.append(contentsOf: repeatElement(0, count: target - out.count))
    }

    private static func isHomogeneous(_ value: GGUFValue) -> Bool {
        guard case let .array(elements) = value else { return true }
        guard let first = elements.first else { return true }
        return elements.allSatisfy { $0.typeID == first.typeID && isHomogeneous($0) }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    private static func append(string: String, to out: inout [UInt8]) {
        append(UInt64(string.utf8.count), to: &out)
        out.append(contentsOf: string.utf8)
    }

    private static func append(value: GGUFValue, to out: inout [UInt8]) {
        switch value {
        case let .uint8(number): append(number, to: &out)
        case let .int8(number): append(number, to: &out)
        case let .uint16(number): append(number, to: &out)
        case let .int16(number): append(number, to: &out)
        case let .uint32(number): append(number, to: &out)
        case let .int32(number): append(number, to: &out)
        case let .uint64(number): append(number, to: &out)
        case let .int64(number): append(number, to: &out)
        case let .float32(number): append(number.bitPattern, to: &out)
        case let .float64(number): append(number.bitPattern, to: &out)
        case let .bool(flag): append(UInt8(flag ? 1 : 0), to: &out)
        case let .string(text): append(string: text, to: &out)
        case let .array(elements):
            // An empty array is written with element type u8; it reads back as an empty array.
            append(elements.first?.typeID ?? 0, to: &out)
            append(UInt64(elements.count), to: &out)
            for element in elements { append(value: element, to: &out) }
        }
    }
}
