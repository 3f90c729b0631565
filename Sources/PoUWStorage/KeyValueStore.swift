/// A transactional store of named, ordered tables: `LMDBStore` on disk, `MemoryStore` in memory.
///
/// Contracts, the same for every implementation:
/// - `read` runs its closure on the calling thread against a snapshot of the last committed state. The
///   snapshot does not change while the closure runs, whatever writers do meanwhile.
/// - `write` runs its closure on the calling thread inside the only write transaction: writers queue
///   behind one another. The transaction commits when the closure returns and is aborted (nothing of it
///   persists) when the closure throws. The closure sees its own changes.
/// - A write closure may run more than once (LMDB re-runs it after growing its map), so it must have no
///   effects outside the transaction: compute, read and write through `tx`, return a result.
/// - Both are synchronous and block the calling thread; keep read closures short (an open read pins
///   old pages and holds off map growth).
/// - Transactions belong to their closure: using `tx` after the closure returned is a precondition
///   failure, as is calling `write` inside a `write` or inside a `read` closure (it would deadlock). A
///   `read` inside a `write` closure is allowed and sees the committed state, not the write's changes.
/// - Errors are `StorageError`s, or whatever the closure threw.
public protocol KeyValueStore: AnyObject, Sendable {
    /// Runs `body` in a read-only snapshot transaction and returns its result.
    func read<T>(_ body: (any ReadTransaction) throws -> T) throws -> T
    /// Runs `body` in the write transaction; commits when it returns, aborts when it throws.
    @discardableResult
    func write<T>(_ body: (any WriteTransaction) throws -> T) throws -> T
}

/// Which way a scan walks a table.
public enum ScanDirection: Sendable {
    /// Ascending keys, starting at the first key ≥ the start key (or the first key).
    case forward
    /// Descending keys, starting at the last key ≤ the start key (or the last key).
    case backward
}

/// The byte-level operations of a transaction, which each store implements. Callers use the typed
/// methods in the extension below (`get`, `scan`, `put`, …).
///
/// Every method checks keys with the same rules (`StorageLimits.checkKey`) and stops the process when
/// `table` was not declared at open.
public protocol ReadTransaction: AnyObject {
    /// The value stored under `key` in `table`, or `nil`.
    func getBytes(table: String, key: [UInt8]) throws -> [UInt8]?
    /// At most `limit` entries of `table` in `direction` order, from `start` on (see `ScanDirection`); a
    /// `nil` start begins at the first (forward) or last (backward) key.
    /// - Precondition: `limit >= 0`.
    func scanBytes(table: String, from start: [UInt8]?, direction: ScanDirection, limit: Int) throws
        -> [(key: [UInt8], value: [UInt8])]
    /// The number of entries in `table`.
    func countEntries(table: String) throws -> Int
}

/// A read transaction that may also change tables. See `KeyValueStore` for when changes persist.
public protocol WriteTransaction: ReadTransaction {
    /// Stores `value` under `key`, replacing any earlier value.
    func putBytes(table: String, key: [UInt8], value: [UInt8]) throws
    /// Removes `key`; returns whether it was there.
    func deleteBytes(table: String, key: [UInt8]) throws -> Bool
    /// Removes every entry of `table`; the table stays declared.
    func removeAllEntries(table: String) throws
}

extension ReadTransaction {
    /// The value under `key`, or `nil`.
    public func get<Key, Value>(_ table: Table<Key, Value>, _ key: Key) throws -> Value? {
        guard let bytes = try getBytes(table: table.name, key: key.storageBytes) else { return nil }
        return try decodeValue(table, bytes)
    }

    /// At most `limit` entries in key order from `start` on (seek: the first key ≥ `start` forward, the
    /// last key ≤ `start` backward; `nil` starts at the first or last key).
    /// - Precondition: `limit >= 0`.
    public func scan<Key, Value>(
        _ table: Table<Key, Value>, from start: Key? = nil, direction: ScanDirection = .forward, limit: Int
    ) throws -> [(key: Key, value: Value)] {
        let entries = try scanBytes(table: table.name, from: start?.storageBytes, direction: direction, limit: limit)
        return try entries.map { entry in
            guard let key = Key(storageBytes: entry.key) else {
                throw StorageError.keyDecodeFailed(table: table.name, byteCount: entry.key.count)
            }
            return (key, try decodeValue(table, entry.value))
        }
    }

    /// The number of entries in `table`.
    public func count<Key, Value>(_ table: Table<Key, Value>) throws -> Int {
        try countEntries(table: table.name)
    }

    private func decodeValue<Key, Value>(_ table: Table<Key, Value>, _ bytes: [UInt8]) throws -> Value {
        guard let value = Value(storageBytes: bytes) else {
            throw StorageError.valueDecodeFailed(table: table.name, byteCount: bytes.count)
        }
        return value
    }
}

extension WriteTransaction {
    /// Stores `value` under `key`, replacing any earlier value.
    public func put<Key, Value>(_ table: Table<Key, Value>, _ key: Key, _ value: Value) throws {
        try putBytes(table: table.name, key: key.storageBytes, value: value.storageBytes)
    }

    /// Removes `key`; returns whether it was there.
    @discardableResult
    public func delete<Key, Value>(_ table: Table<Key, Value>, _ key: Key) throws -> Bool {
        try deleteBytes(table: table.name, key: key.storageBytes)
    }

    /// Removes every entry of `table`.
    public func removeAll<Key, Value>(_ table: Table<Key, Value>) throws {
        try removeAllEntries(table: table.name)
    }
}
