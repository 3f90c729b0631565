/// What the parser extracts from the bytes of a GGUF file (see `GGUFFile` for the layout).
struct GGUFLayout {
    var version: UInt32
    var metadataKeys: [String]
    var metadata: [String: GGUFValue]
    var tensors: [GGUFTensorInfo]
    var alignment: Int
    var dataOffset: Int
}

/// A bounds-checked little-endian reader over a byte buffer. Every read checks the remaining length
/// first and throws `GGUFError.truncated` naming the byte offset and the item being read.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - position }

    /// Claims `count` bytes and returns where they start.
    mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(GGUFError) -> Int {
        guard count >= 0, count <= remaining else { throw .truncated(at: position, reading: what()) }
        let start = position
        position += count
        return start
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ what: @autoclosure () -> String) throws(GGUFError) -> T {
        let start = try take(MemoryLayout<T>.size, what())
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: start, as: T.self))
    }

    /// A count stored as u64, checked against `limit` before anything is allocated for it.
    mutating func count(_ what: String, limit: Int) throws(GGUFError) -> Int {
        let at = position
        let value = try integer(UInt64.self, what)
        guard value <= UInt64(limit) else { throw .limitExceeded(what: what, value: value, limit: limit, at: at) }
        return Int(value)
    }

    /// A GGUF string: u64 byte length, then that many bytes of UTF-8 (no terminator).
    mutating func string(_ what: @autoclosure () -> String, limit: Int = GGUFLimits.stringBytesMax)
        throws(GGUFError) -> String
    {
        let at = position
        let length = try count("length of \(what())", limit: limit)
        let start = try take(length, what())
        let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])
        let decoded = slice.withMemoryRebound(to: UInt8.self) { String(validating: $0, as: UTF8.self) }
        guard let text = decoded else {
            throw .invalidUTF8(at: at)
        }
        return text
    }
}

/// Parses the header, metadata and tensor infos of a GGUF v3 file held in memory.
enum GGUFParser {
    static let magic: UInt32 = 0x4655_4747  // "GGUF" read as a little-endian u32
    static let supportedVersion: UInt32 = 3

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(GGUFError) -> GGUFLayout {
        var cursor = GGUFCursor(bytes)
        let magicRead = try cursor.integer(UInt32.self, "magic")
        guard magicRead == magic else { throw .notGGUF(magic: magicRead) }
        let version = try cursor.integer(UInt32.self, "version")
        guard version == supportedVersion else { throw .unsupportedVersion(version) }
        let tensorCount = try cursor.count("tensor count", limit: GGUFLimits.tensorCountMax)
        let keyValueCount = try cursor.count("metadata key/value count", limit: GGUFLimits.keyValueCountMax)

        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        for index in 0..<keyValueCount {
            let key = try cursor.string("key of metadata entry \(index)")
            let typeAt = cursor.position
            let type = try cursor.integer(UInt32.self, "value type of \(key)")
            let value = try readValue(&cursor, type: type, typeAt: typeAt, depth: 0, key: key)
            guard metadata.updateValue(value, forKey: key) == nil else { throw .duplicateKey(key) }
            keys.append(key)
        }
        let alignment = try readAlignment(metadata)

        var tensors: [GGUFTensorInfo] = []
        var names: Set<String> = []
        for index in 0..<tensorCount {
            let info = try readTensorInfo(&cursor, index: index, alignment: alignment)
            guard names.insert(info.name).inserted else { throw .duplicateTensor(info.name) }
            tensors.append(info)
        }

        let (dataOffset, overflow) = alignUp(cursor.position, alignment)
        guard !overflow else { throw .truncated(at: cursor.position, reading: "padding before tensor data") }
        let dataBytes = bytes.count - dataOffset
        if !tensors.isEmpty && dataBytes < 0 {
            throw .truncated(at: bytes.count, reading: "padding before tensor data")
        }
        for tensor in tensors {
            guard tensor.offset <= dataBytes - tensor.byteCount else {
                let reason = "bytes \(tensor.offset)..<\(tensor.offset + tensor.byteCount) of the data section, "
                    + "which holds \(max(dataBytes, 0)) bytes"
                throw .tensorOutOfRange(tensor: tensor.name, reason: reason)
            }
        }
        return GGUFLayout(
            version: version, metadataKeys: keys, metadata: metadata, tensors: tensors,
            alignment: alignment, dataOffset: dataOffset)
    }

    static func alignUp(_ value: Int, _ alignment: Int) -> (Int, overflow: Bool) {
        let (sum, overflow) = value.addingReportingOverflow(alignment - 1)
        return (sum / alignment * alignment, overflow)
    }

    static func readAlignment(_ metadata: [String: GGUFValue]) throws(GGUFError) -> Int {
        guard let value = metadata["general.alignment"] else { return GGUFLimits.alignmentDefault }
        guard let alignment = value.int else { throw .invalidAlignment("is not an integer (\(value))") }
        guard alignment > 0, alignment <= GGUFLimits.alignmentMax, alignment & (alignment - 1) == 0 else {
            throw .invalidAlignment("is \(alignment)")
        }
        return alignment
    }

    /// Minimum encoded size of one value of a type: how many elements the remaining bytes could hold.
    static func minimumBytes(ofType type: UInt32) -> Int {
        switch type {
        case 0, 1, 7: return 1
        case 2, 3: return 2
        case 4, 5, 6: return 4
        case 10, 11, 12, 8: return 8  // a string is at least its u64 length
        default: return 12  // an array is at least its u32 type and u64 count
        }
    }

    static func readValue(_ cursor: inout GGUFCursor, type: UInt32, typeAt: Int, depth: Int, key: String)
        throws(GGUFError) -> GGUFValue
    {
        switch type {
        case 0: return .uint8(try cursor.integer(UInt8.self, "value of \(key)"))
        case 1: return .int8(try cursor.integer(Int8.self, "value of \(key)"))
        case 2: return .uint16(try cursor.integer(UInt16.self, "value of \(key)"))
        case 3: return .int16(try cursor.integer(Int16.self, "value of \(key)"))
        case 4: return .uint32(try cursor.integer(UInt32.self, "value of \(key)"))
        case 5: return .int32(try cursor.integer(Int32.self, "value of \(key)"))
        case 6: return .float32(Float(bitPattern: try cursor.integer(UInt32.self, "value of \(key)")))
        case 7:
            let at = cursor.position
            let byte = try cursor.integer(UInt8.self, "value of \(key)")
            guard byte <= 1 else { throw .invalidBool(byte, at: at) }
            return .bool(byte == 1)
        case 8: return .string(try cursor.string("value of \(key)"))
        case 9: return try readArray(&cursor, depth: depth, key: key)
        case 10: return .uint64(try cursor.integer(UInt64.self, "value of \(key)"))
        case 11: return .int64(try cursor.integer(Int64.self, "value of \(key)"))
        case 12: return .float64(Double(bitPattern: try cursor.integer(UInt64.self, "value of \(key)")))
        default: throw .unknownValueType(type, at: typeAt)
        }
    }

    static func readArray(_ cursor: inout GGUFCursor, depth: Int, key: String) throws(GGUFError) -> GGUFValue {
        let depthAt = cursor.position
        guard depth < GGUFLimits.arrayDepthMax else {
            throw .limitExceeded(
                what: "array nesting of \(key)", value: UInt64(depth + 1), limit: GGUFLimits.arrayDepthMax,
                at: depthAt)
        }
        let typeAt = cursor.position
        let elementType = try cursor.integer(UInt32.self, "element type of \(key)")
        guard elementType <= 12 else { throw .unknownValueType(elementType, at: typeAt) }
        let countAt = cursor.position
        let count = try cursor.count("element count of \(key)", limit: GGUFLimits.arrayElementsMax)
        guard count <= cursor.remaining / minimumBytes(ofType: elementType) else {
            throw .truncated(at: countAt, reading: "\(count) elements of \(key)")
        }
        var elements: [GGUFValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            let at = cursor.position
            elements.append(try readValue(&cursor, type: elementType, typeAt: at, depth: depth + 1, key: key))
        }
        return .array(elements)
    }

    static func readTensorInfo(_ cursor: inout GGUFCursor, index: Int, alignment: Int)
        throws(GGUFError) -> GGUFTensorInfo
    {
        let name = try cursor.string("name of tensor \(index)", limit: GGUFLimits.tensorNameBytesMax)
        let rankAt = cursor.position
        let rank = try cursor.integer(UInt32.self, "dimension count of \(name)")
        guard rank >= 1, rank <= GGUFLimits.tensorDimensionsMax else {
            throw .limitExceeded(
                what: "dimension count of \(name)", value: UInt64(rank), limit: GGUFLimits.tensorDimensionsMax,
                at: rankAt)
        }
        var dimensions: [Int] = []
        var elements = 1
        for axis in 0..<Int(rank) {
            let extent = try cursor.count("dimension \(axis) of \(name)", limit: GGUFLimits.tensorElementsMax)
            guard extent > 0 else { throw .invalidTensorShape(tensor: name, reason: "dimension \(axis) is 0") }
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent)
            guard !overflow, product <= GGUFLimits.tensorElementsMax else {
                throw .invalidTensorShape(
                    tensor: name, reason: "more than \(GGUFLimits.tensorElementsMax) elements")
            }
            elements = product
            dimensions.append(extent)
        }
        let typeID = try cursor.integer(UInt32.self, "type of \(name)")
        guard let type = GGMLType(rawValue: typeID) else { throw .unknownTensorType(typeID, tensor: name) }
        guard dimensions[0] % type.blockElements == 0 else {
            throw .invalidTensorShape(
                tensor: name,
                reason: "row length \(dimensions[0]) is not a multiple of the \(type) block (\(type.blockElements))")
        }
        // elements <= 2^50 and blockBytes <= 292, so this product cannot overflow.
        let byteCount = elements / type.blockElements * type.blockBytes
        let offsetAt = cursor.position
        let offsetRaw = try cursor.integer(UInt64.self, "data offset of \(name)")
        guard offsetRaw <= UInt64(Int.max / 2) else {
            throw .tensorOutOfRange(tensor: name, reason: "offset \(offsetRaw) at byte \(offsetAt)")
        }
        let offset = Int(offsetRaw)
        guard offset % alignment == 0 else {
            throw .tensorOutOfRange(tensor: name, reason: "offset \(offset) is not a multiple of \(alignment)")
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: offset, byteCount: byteCount)
    }
}
