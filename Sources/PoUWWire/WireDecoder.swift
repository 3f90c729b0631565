import PoUWCore

/// Reads canonical encodings of primitives from a byte buffer, front to back.
///
/// Safety contract: no input makes a read trap, overflow, read out of bounds, loop more than a
/// bounded number of times, or allocate more than the maximum the caller names. Every failure is a
/// thrown `WireError`. Every bounds check is done here, explicitly, because `UnsafeRawBufferPointer`
/// checks nothing in release builds.
///
/// The decoder does not own its buffer: create it inside `withUnsafeBytes` (or an equivalent scope)
/// and do not let it outlive that scope. `Wire.decode` does this for you.
public struct WireDecoder {
    /// The most bytes a canonical varint of a `UInt64` takes (ceil(64 / 7)).
    public static let varintBytesMax = 10

    private let buffer: UnsafeRawBufferPointer
    /// How many bytes have been consumed; always `<= buffer.count`.
    public private(set) var offset: Int = 0

    public init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// Bytes not yet consumed.
    public var remainingByteCount: Int { buffer.count - offset }

    /// Throws unless every byte has been consumed. Call once the value is complete.
    public func finish() throws(WireError) {
        guard remainingByteCount == 0 else { throw .trailingBytes(count: remainingByteCount) }
    }

    // MARK: Fixed width

    public mutating func readUInt8() throws(WireError) -> UInt8 {
        try require(1)
        let value = buffer[offset]
        offset += 1
        return value
    }

    public mutating func readUInt16() throws(WireError) -> UInt16 { try readInteger(UInt16.self) }
    public mutating func readUInt32() throws(WireError) -> UInt32 { try readInteger(UInt32.self) }
    public mutating func readUInt64() throws(WireError) -> UInt64 { try readInteger(UInt64.self) }

    /// Reads a little-endian integer of `T.bitWidth / 8` bytes (two's complement for signed types).
    ///
    /// - Precondition: `T` is a whole number of bytes, at most 64 bits.
    public mutating func readInteger<T: FixedWidthInteger>(_ type: T.Type = T.self) throws(WireError) -> T {
        precondition(T.bitWidth % 8 == 0 && T.bitWidth <= 64, "wire integers are 8 to 64 bits wide")
        let byteCount = T.bitWidth / 8
        try require(byteCount)
        var bits: UInt64 = 0
        for index in 0..<byteCount {
            bits |= UInt64(buffer[offset + index]) << UInt64(8 * index)
        }
        offset += byteCount
        return T(truncatingIfNeeded: bits)
    }

    /// Reads exactly 0x00 (false) or 0x01 (true).
    public mutating func readBool() throws(WireError) -> Bool {
        let byte = try readUInt8()
        switch byte {
        case 0x00: return false
        case 0x01: return true
        default: throw .invalidBool(byte: byte)
        }
    }

    /// Reads a fixed-width unsigned raw value and maps it to a case of `E`.
    public mutating func readEnum<E: RawRepresentable>(_ type: E.Type) throws(WireError) -> E
    where E.RawValue: FixedWidthInteger & UnsignedInteger {
        let raw = try readInteger(E.RawValue.self)
        guard let value = E(rawValue: raw) else {
            throw .invalidEnum(type: String(describing: E.self), raw: UInt64(raw))
        }
        return value
    }

    // MARK: Varints and lengths

    /// Reads a canonical unsigned LEB128 varint of at most 64 bits. Rejects a final 0x00 group after
    /// the first byte (`nonCanonicalVarint`) and anything above `UInt64.max` (`varintOverflow`).
    public mutating func readVarint() throws(WireError) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<Self.varintBytesMax {
            let byte = try readUInt8()
            // The 10th group holds only bit 63: 0x01 is the one byte allowed there (0x00 is not minimal).
            if index == Self.varintBytesMax - 1 && byte > 0x01 { throw .varintOverflow }
            value |= UInt64(byte & 0x7f) << UInt64(7 * index)
            if byte & 0x80 == 0 {
                if byte == 0 && index > 0 { throw .nonCanonicalVarint }
                return value
            }
        }
        throw .varintOverflow  // Unreachable: the 10th byte either returns or throws above.
    }

    /// Reads a length or count of `field` and checks it against `max` and against what the remaining
    /// input could hold at `elementBytesMin` bytes per element. Nothing is allocated.
    ///
    /// - Precondition: `max >= 0`, `elementBytesMin >= 0`.
    public mutating func readLength(field: String, max: Int, elementBytesMin: Int) throws(WireError) -> Int {
        precondition(max >= 0 && elementBytesMin >= 0, "limits are non-negative")
        let raw = try readVarint()
        guard raw <= UInt64(max) else { throw .lengthExceeded(field: field, max: max, actual: raw) }
        let count = Int(raw)
        let (product, overflow) = count.multipliedReportingOverflow(by: elementBytesMin)
        let bytesNeeded = overflow ? Int.max : product
        guard bytesNeeded <= remainingByteCount else {
            throw .truncated(needed: bytesNeeded, remaining: remainingByteCount)
        }
        return count
    }

    // MARK: Byte strings

    /// Reads exactly `count` bytes (a fixed-size field, no length prefix).
    ///
    /// - Precondition: `count >= 0`.
    public mutating func readFixedBytes(count: Int) throws(WireError) -> [UInt8] {
        precondition(count >= 0, "byte counts are non-negative")
        try require(count)
        return take(count)
    }

    /// Reads a varint length of at most `max`, then that many bytes.
    public mutating func readBytes(field: String, max: Int) throws(WireError) -> [UInt8] {
        let count = try readLength(field: field, max: max, elementBytesMin: 1)
        return take(count)
    }

    /// Reads a varint length of at most `max` bytes, then that many bytes of well-formed UTF-8.
    public mutating func readString(field: String, max: Int) throws(WireError) -> String {
        let count = try readLength(field: field, max: max, elementBytesMin: 1)
        let utf8 = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
        // Decoding repairs ill-formed input with U+FFFD, so the result's UTF-8 equals the input
        // exactly when the input was well-formed (no overlongs, surrogates or truncated sequences).
        let value = String(decoding: utf8, as: UTF8.self)
        guard value.utf8.elementsEqual(utf8) else { throw .invalidUTF8(field: field) }
        offset += count
        return value
    }

    // MARK: Composites

    /// Reads a value of `T`.
    public mutating func read<T: WireCodable>(_ type: T.Type) throws(WireError) -> T {
        try T(from: &self)
    }

    /// Reads a varint count of at most `max`, then that many `T`s.
    public mutating func readArray<T: WireCodable>(
        of type: T.Type, field: String, max: Int
    ) throws(WireError) -> [T] {
        try readArray(field: field, max: max, elementBytesMin: T.encodedBytesMin) { (decoder) throws(WireError) in
            try T(from: &decoder)
        }
    }

    /// Reads a varint count of at most `max`, then that many elements with `readElement`, which
    /// consumes at least `elementBytesMin` bytes per element.
    public mutating func readArray<T>(
        field: String, max: Int, elementBytesMin: Int,
        element readElement: (inout WireDecoder) throws(WireError) -> T
    ) throws(WireError) -> [T] {
        let count = try readLength(field: field, max: max, elementBytesMin: elementBytesMin)
        var elements: [T] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }

    /// Reads 0x00 (`nil`) or 0x01 followed by a value read with `readValue`.
    public mutating func readOptional<T>(
        field: String, value readValue: (inout WireDecoder) throws(WireError) -> T
    ) throws(WireError) -> T? {
        let tag = try readUInt8()
        switch tag {
        case 0x00: return nil
        case 0x01: return try readValue(&self)
        default:
            throw .invalidValue(
                field: field, reason: "optional tag must be 0x00 (absent) or 0x01 (present), got 0x\(Hex.encode([tag]))"
            )
        }
    }

    /// Reads 0x00 (`nil`) or 0x01 followed by a `T`.
    public mutating func readOptional<T: WireCodable>(_ type: T.Type, field: String) throws(WireError) -> T? {
        try readOptional(field: field) { (decoder) throws(WireError) in try T(from: &decoder) }
    }

    // MARK: Bounds

    private func require(_ byteCount: Int) throws(WireError) {
        guard byteCount <= remainingByteCount else {
            throw .truncated(needed: byteCount, remaining: remainingByteCount)
        }
    }

    /// Copies `count` bytes out and advances. Callers have checked `count <= remainingByteCount`.
    private mutating func take(_ count: Int) -> [UInt8] {
        let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)]))
        offset += count
        return bytes
    }
}
