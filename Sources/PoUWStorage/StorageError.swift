/// What can go wrong while using a store, for reasons other than a bug in the caller (those stop the
/// process with a precondition failure instead). Each message says what to do about it.
public enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The directory or the database files could not be created or opened.
    case cannotOpen(path: String, reason: String)
    /// LMDB found pages or metadata it cannot trust, or files of an incompatible version.
    case corrupted(path: String, detail: String)
    /// The operating system refused a read, write or flush (disk full, I/O error, permissions).
    case io(path: String, operation: String, detail: String)
    /// Every reader slot of the database is in use, across all processes that have it open.
    case readersFull(path: String, readersMax: Int)
    /// A write needs more room than the largest map this store may use (`LMDBOptions.mapBytesMax`).
    case mapFull(path: String, mapBytesMax: Int)
    /// One transaction dirtied more pages than LMDB can hold in a single transaction.
    case transactionTooLarge(path: String)
    /// Another process grew the database while this thread already had a transaction open.
    case mapResizedByAnotherProcess(path: String)
    /// Keys must be at least one byte long.
    case emptyKey(table: String)
    /// Keys are at most `StorageLimits.keyBytesMax` bytes long.
    case keyTooLarge(table: String, byteCount: Int, byteCountMax: Int)
    /// A stored key is not an encoding of the table's key type.
    case keyDecodeFailed(table: String, byteCount: Int)
    /// A stored value is not an encoding of the table's value type.
    case valueDecodeFailed(table: String, byteCount: Int)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            "cannot open the database at \(path): \(reason); check that the directory exists or can be "
                + "created, is writable by this user, and is on a local file system"
        case let .corrupted(path, detail):
            "the database at \(path) is corrupted or of an incompatible version (\(detail)); restore it from "
                + "a backup or delete it and resynchronise"
        case let .io(path, operation, detail):
            "\(operation) on the database at \(path) failed: \(detail); check free disk space and the disk"
        case let .readersFull(path, readersMax):
            "all \(readersMax) reader slots of the database at \(path) are taken; end long-running reads or "
                + "open it with a larger readersMax"
        case let .mapFull(path, mapBytesMax):
            "the database at \(path) reached its size limit of \(mapBytesMax) bytes; raise mapBytesMax"
        case let .transactionTooLarge(path):
            "a transaction on the database at \(path) changed too many pages at once; split it into smaller "
                + "transactions"
        case let .mapResizedByAnotherProcess(path):
            "another process grew the database at \(path) while this thread held a transaction; end it and "
                + "retry"
        case let .emptyKey(table):
            "an empty key was used in table '\(table)'; keys need at least one byte"
        case let .keyTooLarge(table, byteCount, byteCountMax):
            "a key of \(byteCount) bytes was used in table '\(table)'; keys are at most \(byteCountMax) bytes "
                + "(store a hash of longer keys)"
        case let .keyDecodeFailed(table, byteCount):
            "a key of \(byteCount) bytes in table '\(table)' does not decode as the table's key type; the "
                + "table is declared with two key types or the data is damaged"
        case let .valueDecodeFailed(table, byteCount):
            "a value of \(byteCount) bytes in table '\(table)' does not decode as the table's value type; the "
                + "table is declared with two value types or the data is damaged"
        }
    }
}
