/// A table as a store sees it: just its name. Stores are opened with the full list of their tables.
public protocol TableDeclaration: Sendable {
    var name: String { get }
}

/// A named table mapping `Key` to `Value`, kept in key order (see `StorageKey`).
///
/// Every table is declared when its store opens (`LMDBStore(directory:tables:)`,
/// `MemoryStore(tables:)`); naming an undeclared table in a transaction is a programmer error and stops
/// the process. Two `Table` values with the same name address the same entries, whatever their types.
public struct Table<Key: StorageKey, Value: StorageValue>: TableDeclaration, Hashable {
    public let name: String

    /// - Precondition: `name` is 1 to `StorageLimits.tableNameBytesMax` bytes of ASCII letters, digits,
    ///   `.`, `_` and `-`.
    public init(_ name: String) {
        precondition(StorageLimits.isValidTableName(name),
                     "table name '\(name)' must be 1 to \(StorageLimits.tableNameBytesMax) bytes of [A-Za-z0-9._-]")
        self.name = name
    }
}

/// The bounds every store enforces, the same in LMDB and in memory so the twins fail alike.
public enum StorageLimits {
    /// Longest key, in bytes: LMDB's compiled-in maximum (`mdb_env_get_maxkeysize`, 0.9.x default).
    public static let keyBytesMax = 511
    /// Longest table name, in bytes.
    public static let tableNameBytesMax = 64
    /// Most tables one store may declare (LMDB's `mdb_env_set_maxdbs`; each costs a slot in every txn).
    public static let tablesMax = 128

    static func isValidTableName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...tableNameBytesMax).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    /// Throws unless `key` is 1...`keyBytesMax` bytes.
    static func checkKey(_ key: [UInt8], table: String) throws(StorageError) {
        guard !key.isEmpty else { throw .emptyKey(table: table) }
        guard key.count <= keyBytesMax else {
            throw .keyTooLarge(table: table, byteCount: key.count, byteCountMax: keyBytesMax)
        }
    }

    /// The names of `tables`, after checking there are at most `tablesMax` and no name repeats.
    static func tableNames(_ tables: [any TableDeclaration]) -> [String] {
        let names = tables.map(\.name)
        precondition(names.count <= tablesMax, "a store holds at most \(tablesMax) tables, got \(names.count)")
        precondition(Set(names).count == names.count, "table names must be unique: \(names)")
        return names
    }
}
