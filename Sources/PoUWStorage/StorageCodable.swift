public import PoUWCore

/// A type that a table stores as bytes: as a key, as a value, or both.
///
/// Contract: `init(storageBytes:)` inverts `storageBytes` (`T(storageBytes: x.storageBytes) == x`) and
/// returns `nil` for bytes that no value encodes to (a wrong length, invalid UTF-8). A store turns that
/// `nil` into `StorageError.keyDecodeFailed` or `.valueDecodeFailed`, naming the table.
public protocol StorageCodable: Sendable {
    /// The encoding written to the store.
    var storageBytes: [UInt8] { get }
    /// Decodes what `storageBytes` wrote; `nil` when `storageBytes` is not such an encoding.
    init?(storageBytes: [UInt8])
}

/// A table key.
///
/// Stores order keys by their `storageBytes`, compared byte by byte as unsigned numbers, a key that is a
/// prefix of another sorting first (LMDB's default order, `memcmp`). An encoding must make that the
/// order wanted: `UInt64` is big-endian for that reason. An encoded key is 1 to
/// `StorageLimits.keyBytesMax` bytes; stores reject others with `StorageError.emptyKey` / `.keyTooLarge`.
public protocol StorageKey: StorageCodable {}

/// A table value: any number of bytes, zero included.
public protocol StorageValue: StorageCodable {}

/// Raw bytes, stored as they are.
extension Array: StorageCodable, StorageKey, StorageValue where Element == UInt8 {
    public var storageBytes: [UInt8] { self }
    public init?(storageBytes: [UInt8]) { self = storageBytes }
}

/// UTF-8, without a terminator. Bytes that are not valid UTF-8 do not decode.
extension String: StorageCodable, StorageKey, StorageValue {
    public var storageBytes: [UInt8] { Array(utf8) }

    public init?(storageBytes: [UInt8]) {
        let text = String(decoding: storageBytes, as: UTF8.self)
        // Decoding replaces invalid sequences with U+FFFD, so a lossless decode re-encodes to the input.
        guard text.utf8.elementsEqual(storageBytes) else { return nil }
        self = text
    }
}

/// Eight bytes, big-endian, so that byte order is numeric order (heights, sequence numbers).
extension UInt64: StorageCodable, StorageKey, StorageValue {
    public static let storageByteCount = 8

    public var storageBytes: [UInt8] {
        (0..<UInt64.storageByteCount).map { UInt8(truncatingIfNeeded: self >> (8 * (7 - $0))) }
    }

    public init?(storageBytes: [UInt8]) {
        guard storageBytes.count == UInt64.storageByteCount else { return nil }
        self = storageBytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// The 32 digest bytes.
extension Hash32: StorageCodable, StorageKey, StorageValue {
    public var storageBytes: [UInt8] { bytes }

    public init?(storageBytes: [UInt8]) {
        guard storageBytes.count == Hash32.byteCount else { return nil }
        self.init(storageBytes)
    }
}

/// The 32 key bytes, unchecked: whether they are a valid point is PoUWCrypto's question.
extension PublicKey: StorageCodable, StorageKey, StorageValue {
    public var storageBytes: [UInt8] { bytes }

    public init?(storageBytes: [UInt8]) {
        guard storageBytes.count == PublicKey.byteCount else { return nil }
        self.init(storageBytes)
    }
}
