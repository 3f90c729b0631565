import CLMDB
import Foundation

/// What an LMDB error message needs to know about its store.
struct LMDBContext: Sendable {
    let path: String
    let readersMax: Int
    let mapBytesMax: Int

    /// Throws the `StorageError` for `code`, unless it is `MDB_SUCCESS`.
    func check(_ code: Int32, _ operation: String) throws(StorageError) {
        guard code != MDB_SUCCESS else { return }
        throw error(code, operation)
    }

    /// The error for a failed `code`, or a precondition failure for codes that can only mean a bug in
    /// this module or its caller (a finished transaction, a bad handle, an invalid argument).
    func error(_ code: Int32, _ operation: String) -> StorageError {
        let detail = Self.message(code)
        switch code {
        case MDB_READERS_FULL:
            return .readersFull(path: path, readersMax: readersMax)
        case MDB_TXN_FULL:
            return .transactionTooLarge(path: path)
        case MDB_MAP_FULL:
            return .mapFull(path: path, mapBytesMax: mapBytesMax)
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_INVALID, MDB_VERSION_MISMATCH, MDB_INCOMPATIBLE, MDB_PANIC:
            return .corrupted(path: path, detail: "\(operation): \(detail)")
        case MDB_BAD_TXN, MDB_BAD_DBI, MDB_BAD_RSLOT, MDB_BAD_VALSIZE, MDB_DBS_FULL, MDB_TLS_FULL,
             MDB_CURSOR_FULL, MDB_PAGE_FULL, MDB_KEYEXIST, MDB_NOTFOUND, MDB_MAP_RESIZED, EINVAL, EBADF, EFAULT:
            // MDB_MAP_RESIZED and MDB_NOTFOUND are handled where they can occur; reaching here with them,
            // or with the others, is a bug in PoUWStorage or in how it is called.
            preconditionFailure("LMDB \(operation) on \(path) failed with \(detail) (code \(code)): misuse")
        default:
            return .io(path: path, operation: operation, detail: detail)
        }
    }

    /// LMDB's text for `code`, which covers its own codes and `errno` values.
    static func message(_ code: Int32) -> String {
        String(cString: mdb_strerror(code))
    }
}
