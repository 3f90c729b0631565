import CLMDB

/// One LMDB transaction, read-only or read-write, valid only while its store's closure runs.
///
/// Values are copied out of the map before they are returned (LMDB's pointers die with the txn).
/// After any failed LMDB call the transaction is poisoned, as LMDB marks it: later calls rethrow the
/// first error rather than touch LMDB again, and the store aborts instead of committing. An
/// `MDB_MAP_FULL` also sets `needsMapGrowth`, which makes the store grow the map and re-run the closure.
final class LMDBTransaction: WriteTransaction {
    private let txn: OpaquePointer
    private let tables: [String: MDB_dbi]
    private let context: LMDBContext
    private let isWritable: Bool
    private var isOpen = true
    /// The first error of an LMDB call; once set, nothing more reaches LMDB.
    private(set) var failure: (any Error)?
    /// Whether a call failed with `MDB_MAP_FULL`.
    private(set) var needsMapGrowth = false

    init(txn: OpaquePointer, tables: [String: MDB_dbi], context: LMDBContext, isWritable: Bool) {
        self.txn = txn
        self.tables = tables
        self.context = context
        self.isWritable = isWritable
    }

    /// Ends the transaction's life as seen from the closure; the store then commits or aborts `txn`.
    func close() -> OpaquePointer {
        precondition(isOpen, "transaction closed twice")
        isOpen = false
        return txn
    }

    // MARK: ReadTransaction

    func getBytes(table: String, key: [UInt8]) throws -> [UInt8]? {
        let dbi = try prepare(table, key: key, writes: false)
        var found = MDB_val()
        let code = key.withUnsafeBytes { keyBytes in
            var keyValue = Self.val(keyBytes)
            return mdb_get(txn, dbi, &keyValue, &found)
        }
        if code == MDB_NOTFOUND { return nil }
        try checked(code, "mdb_get")
        return Self.copy(found)
    }

    func scanBytes(table: String, from start: [UInt8]?, direction: ScanDirection, limit: Int) throws
        -> [(key: [UInt8], value: [UInt8])]
    {
        precondition(limit >= 0, "scan limit must not be negative, got \(limit)")
        let dbi = try prepare(table, key: start, writes: false)
        guard limit > 0 else { return [] }
        var cursor: OpaquePointer?
        try checked(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        defer { mdb_cursor_close(cursor) }
        var key = MDB_val()
        var value = MDB_val()
        var code = Self.position(cursor, at: start, direction: direction, &key, &value)
        let step = direction == .forward ? MDB_NEXT : MDB_PREV
        var entries: [(key: [UInt8], value: [UInt8])] = []
        while code == MDB_SUCCESS {
            entries.append((Self.copy(key), Self.copy(value)))
            if entries.count == limit { break }
            code = mdb_cursor_get(cursor, &key, &value, step)
        }
        if code != MDB_SUCCESS && code != MDB_NOTFOUND { try checked(code, "mdb_cursor_get") }
        return entries
    }

    func countEntries(table: String) throws -> Int {
        let dbi = try prepare(table, key: nil, writes: false)
        var stat = MDB_stat()
        try checked(mdb_stat(txn, dbi, &stat), "mdb_stat")
        return stat.ms_entries
    }

    // MARK: WriteTransaction

    func putBytes(table: String, key: [UInt8], value: [UInt8]) throws {
        let dbi = try prepare(table, key: key, writes: true)
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var keyValue = Self.val(keyBytes)
                var dataValue = Self.val(valueBytes)
                return mdb_put(txn, dbi, &keyValue, &dataValue, 0)
            }
        }
        try checked(code, "mdb_put")
    }

    func deleteBytes(table: String, key: [UInt8]) throws -> Bool {
        let dbi = try prepare(table, key: key, writes: true)
        let code = key.withUnsafeBytes { keyBytes in
            var keyValue = Self.val(keyBytes)
            return mdb_del(txn, dbi, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try checked(code, "mdb_del")
        return true
    }

    func removeAllEntries(table: String) throws {
        let dbi = try prepare(table, key: nil, writes: true)
        try checked(mdb_drop(txn, dbi, 0), "mdb_drop")
    }

    // MARK: Helpers

    /// Checks the transaction may be used for this call and returns the table's handle.
    private func prepare(_ table: String, key: [UInt8]?, writes: Bool) throws -> MDB_dbi {
        precondition(isOpen, "a transaction was used after its closure returned")
        precondition(!writes || isWritable, "a write through a read-only transaction")
        guard let dbi = tables[table] else {
            preconditionFailure("table '\(table)' was not declared when the store was opened")
        }
        if let failure { throw failure }
        if let key { try StorageLimits.checkKey(key, table: table) }
        return dbi
    }

    /// Throws (and poisons the transaction) unless `code` is `MDB_SUCCESS`.
    private func checked(_ code: Int32, _ operation: String) throws {
        guard code != MDB_SUCCESS else { return }
        if code == MDB_MAP_FULL { needsMapGrowth = true }
        let error = context.error(code, operation)
        failure = error
        throw error
    }

    /// Places `cursor` on the first entry of a scan and reads it into `key`/`value`.
    private static func position(
        _ cursor: OpaquePointer?, at start: [UInt8]?, direction: ScanDirection,
        _ key: inout MDB_val, _ value: inout MDB_val
    ) -> Int32 {
        guard let start else {
            return mdb_cursor_get(cursor, &key, &value, direction == .forward ? MDB_FIRST : MDB_LAST)
        }
        var code = start.withUnsafeBytes { startBytes in
            key = val(startBytes)
            return mdb_cursor_get(cursor, &key, &value, MDB_SET_RANGE)
        }
        guard direction == .backward else { return code }
        if code == MDB_NOTFOUND {
            code = mdb_cursor_get(cursor, &key, &value, MDB_LAST)
        } else if code == MDB_SUCCESS && !copy(key).elementsEqual(start) {
            code = mdb_cursor_get(cursor, &key, &value, MDB_PREV)
        }
        return code
    }

    /// An `MDB_val` over `bytes`; LMDB only reads through it for keys and data passed in.
    private static func val(_ bytes: UnsafeRawBufferPointer) -> MDB_val {
        MDB_val(mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    private static func copy(_ value: MDB_val) -> [UInt8] {
        guard value.mv_size > 0, let data = value.mv_data else { return [] }
        return Array(UnsafeRawBufferPointer(start: data, count: value.mv_size))
    }
}
