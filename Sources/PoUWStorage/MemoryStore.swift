import Foundation

/// A `KeyValueStore` in memory: the twin of `LMDBStore` for tests and simulation.
///
/// It keeps `KeyValueStore`'s contracts and `LMDBStore`'s rules (declared tables, key limits, byte
/// order of keys, one writer, snapshot reads, nesting rules) so that code tested against it behaves
/// the same on disk. A write works on a copy-on-write copy of the committed tables and publishes it
/// when the closure returns; a throwing closure drops the copy, leaving nothing behind. Nothing
/// persists past the store's life, and it never grows a map, so write closures run exactly once.
public final class MemoryStore: KeyValueStore, @unchecked Sendable {
    /// The committed state; guarded by `stateLock`.
    private var committed: [String: SortedTable]
    private let stateLock = NSLock()
    private let writerLock = NSLock()
    private let gate = TransactionGate()

    /// An empty store with `tables`.
    /// - Precondition: unique table names.
    public init(tables declared: [any TableDeclaration]) {
        let names = StorageLimits.tableNames(declared)
        committed = Dictionary(uniqueKeysWithValues: names.map { ($0, SortedTable()) })
    }

    public func read<T>(_ body: (any ReadTransaction) throws -> T) throws -> T {
        gate.enterRead()
        defer { gate.leaveRead() }
        let tx = MemoryTransaction(tables: stateLock.withLock { committed }, isWritable: false)
        defer { _ = tx.close() }
        return try body(tx)
    }

    @discardableResult
    public func write<T>(_ body: (any WriteTransaction) throws -> T) throws -> T {
        gate.checkCurrentThreadHasNoTransaction("write")
        writerLock.lock()
        defer { writerLock.unlock() }
        gate.setCurrentThreadIsWriter(true)
        defer { gate.setCurrentThreadIsWriter(false) }
        let tx = MemoryTransaction(tables: stateLock.withLock { committed }, isWritable: true)
        let result: T
        do {
            result = try body(tx)
        } catch {
            _ = tx.close()
            throw error
        }
        let tables = tx.close()
        stateLock.withLock { committed = tables }
        return result
    }
}

/// A table's entries sorted by key bytes (unsigned, shorter prefix first: LMDB's order).
struct SortedTable: Sendable {
    private(set) var keys: [[UInt8]] = []
    private(set) var values: [[UInt8]] = []

    /// The index of the first key ≥ `key`, and whether it equals `key`.
    func seek(_ key: [UInt8]) -> (index: Int, found: Bool) {
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle].lexicographicallyPrecedes(key) { low = middle + 1 } else { high = middle }
        }
        return (low, low < keys.count && keys[low] == key)
    }

    mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        let (index, found) = seek(key)
        if found {
            values[index] = value
        } else {
            keys.insert(key, at: index)
            values.insert(value, at: index)
        }
    }

    mutating func delete(_ key: [UInt8]) -> Bool {
        let (index, found) = seek(key)
        guard found else { return false }
        keys.remove(at: index)
        values.remove(at: index)
        return true
    }

    mutating func removeAll() {
        keys.removeAll()
        values.removeAll()
    }
}

/// A transaction over a private copy of the tables, valid only while its closure runs. (Its only
/// errors are rejected keys, which change nothing, so unlike an LMDB transaction it is never poisoned.)
final class MemoryTransaction: WriteTransaction {
    private var tables: [String: SortedTable]
    private let isWritable: Bool
    private var isOpen = true

    init(tables: [String: SortedTable], isWritable: Bool) {
        self.tables = tables
        self.isWritable = isWritable
    }

    /// Ends the transaction's life as seen from the closure and hands back its tables.
    func close() -> [String: SortedTable] {
        precondition(isOpen, "transaction closed twice")
        isOpen = false
        return tables
    }

    func getBytes(table: String, key: [UInt8]) throws -> [UInt8]? {
        let entries = try prepare(table, key: key, writes: false)
        let (index, found) = entries.seek(key)
        return found ? entries.values[index] : nil
    }

    func scanBytes(table: String, from start: [UInt8]?, direction: ScanDirection, limit: Int) throws
        -> [(key: [UInt8], value: [UInt8])]
    {
        precondition(limit >= 0, "scan limit must not be negative, got \(limit)")
        let entries = try prepare(table, key: start, writes: false)
        let indices: [Int]
        switch direction {
        case .forward:
            let first = start.map { entries.seek($0).index } ?? 0
            indices = Array((first..<entries.keys.count).prefix(limit))
        case .backward:
            let last = start.map { key in
                let (index, found) = entries.seek(key)
                return found ? index : index - 1
            } ?? entries.keys.count - 1
            indices = Array((0..<(last + 1)).reversed().prefix(limit))
        }
        return indices.map { (entries.keys[$0], entries.values[$0]) }
    }

    func countEntries(table: String) throws -> Int {
        try prepare(table, key: nil, writes: false).keys.count
    }

    func putBytes(table: String, key: [UInt8], value: [UInt8]) throws {
        _ = try prepare(table, key: key, writes: true)
        tables[table]!.put(key, value)
    }

    func deleteBytes(table: String, key: [UInt8]) throws -> Bool {
        _ = try prepare(table, key: key, writes: true)
        return tables[table]!.delete(key)
    }

    func removeAllEntries(table: String) throws {
        _ = try prepare(table, key: nil, writes: true)
        tables[table]!.removeAll()
    }

    /// Checks the transaction may be used for this call and returns the table.
    private func prepare(_ table: String, key: [UInt8]?, writes: Bool) throws(StorageError) -> SortedTable {
        precondition(isOpen, "a transaction was used after its closure returned")
        precondition(!writes || isWritable, "a write through a read-only transaction")
        guard let entries = tables[table] else {
            preconditionFailure("table '\(table)' was not declared when the store was opened")
        }
        if let key { try StorageLimits.checkKey(key, table: table) }
        return entries
    }
}
