/// Appends canonical encodings of primitives to a byte array. Every variable-length write names its
/// field and maximum, the same pair the decoder checks: writing past a maximum is a programmer error
/// (`precondition`), because the result would be bytes no peer accepts.
public struct WireEncoder: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }
    public mutating func writeUInt16(_ value: UInt16) { writeInteger(value) }
    public mutating func writeUInt32(_ value: UInt32) { writeInteger(value) }
    public mutating func writeUInt64(_ value: UInt64) { writeInteger(value) }

    /// Appends `value` little-endian in `T.bitWidth / 8` bytes (two's complement for signed types).
    ///
    /// - Precondition: `T` is a whole number of bytes, at most 64 bits.
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        precondition(T.bitWidth % 8 == 0 && T.bitWidth <= 64, "wire integers are 8 to 64 bits wide")
        var shiftBits = 0
        while shiftBits < T.bitWidth {
            bytes.append(UInt8(truncatingIfNeeded: value >> shiftBits))
            shiftBits += 8
        }
    }

    /// Appends `value` as a canonical unsigned LEB128 varint (1 to 10 bytes).
    public mutating func writeVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// Appends a length or count as a varint.
    ///
    /// - Precondition: `0 <= count <= max`.
    public mutating func writeLength(_ count: Int, field: String, max: Int) {
        precondition(count >= 0 && count <= max, "\(field) has length \(count), above its maximum of \(max)")
        writeVarint(UInt64(count))
    }

    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 0x01 : 0x00) }

    /// Appends exactly `count` bytes, without a length prefix.
    ///
    /// - Precondition: `value.count == count`.
    public mutating func writeFixedBytes(_ value: some Collection<UInt8>, count: Int) {
        precondition(value.count == count, "fixed-size field needs \(count) bytes, got \(value.count)")
        bytes.append(contentsOf: value)
    }

    /// Appends a varint length, then the bytes.
    ///
    /// - Precondition: `value.count <= max`.
    public mutating func writeBytes(_ value: some Collection<UInt8>, field: String, max: Int) {
        writeLength(value.count, field: field, max: max)
        bytes.append(contentsOf: value)
    }

    /// Appends a varint length in bytes, then the UTF-8 of `value`.
    ///
    /// - Precondition: `value.utf8.count <= max`.
    public mutating func writeString(_ value: String, field: String, max: Int) {
        writeBytes(value.utf8, field: field, max: max)
    }

    /// Appends the raw value of `value` as a fixed-width little-endian integer.
    public mutating func writeEnum<E: RawRepresentable>(_ value: E)
    where E.RawValue: FixedWidthInteger & UnsignedInteger {
        writeInteger(value.rawValue)
    }

    /// Appends the encoding of `value`.
    public mutating func write(_ value: some WireCodable) { value.encode(to: &self) }

    /// Appends a varint count, then each element.
    ///
    /// - Precondition: `elements.count <= max`.
    public mutating func writeArray<T: WireCodable>(_ elements: [T], field: String, max: Int) {
        writeArray(elements, field: field, max: max) { encoder, element in element.encode(to: &encoder) }
    }

    /// Appends a varint count, then each element as `writeElement` encodes it.
    ///
    /// - Precondition: `elements.count <= max`.
    public mutating func writeArray<T>(
        _ elements: [T], field: String, max: Int, element writeElement: (inout WireEncoder, T) -> Void
    ) {
        writeLength(elements.count, field: field, max: max)
        for element in elements { writeElement(&self, element) }
    }

    /// Appends 0x00 for `nil`, or 0x01 and then the value as `writeValue` encodes it.
    public mutating func writeOptional<T>(_ value: T?, value writeValue: (inout WireEncoder, T) -> Void) {
        guard let value else {
            bytes.append(0x00)
            return
        }
        bytes.append(0x01)
        writeValue(&self, value)
    }

    /// Appends 0x00 for `nil`, or 0x01 and then the value's encoding.
    public mutating func writeOptional(_ value: (some WireCodable)?) {
        writeOptional(value) { encoder, present in present.encode(to: &encoder) }
    }
}
