/// Writes held back until a transaction has passed every check, so a transaction that fails part way
/// leaves nothing behind (the proposer skips it and goes on in the same store transaction).
import PoUWStorage

final class Staging {
    private let tx: any WriteTransaction
    private var pending: [String: [[UInt8]: [UInt8]]] = [:]

    init(_ tx: any WriteTransaction) { self.tx = tx }

    /// The staged value of `key`, or else the stored one.
    func get<Key, Value>(_ table: Table<Key, Value>, _ key: Key) throws -> Value? {
        if let bytes = pending[table.name]?[key.storageBytes] {
            guard let value = Value(storageBytes: bytes) else {
                throw StorageError.valueDecodeFailed(table: table.name, byteCount: bytes.count)
            }
            return value
        }
        return try tx.get(table, key)
    }

    /// Stages `value` under `key`.
    func put<Key, Value>(_ table: Table<Key, Value>, _ key: Key, _ value: Value) {
        pending[table.name, default: [:]][key.storageBytes] = value.storageBytes
    }

    /// Writes everything staged to the store transaction.
    func flush() throws {
        for (table, entries) in pending {
            for (key, value) in entries { try tx.putBytes(table: table, key: key, value: value) }
        }
        pending.removeAll()
    }
}
