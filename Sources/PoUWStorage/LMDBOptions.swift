/// How an `LMDBStore` opens its database.
public struct LMDBOptions: Sendable {
    /// Map size at open, in bytes, rounded up to whole pages. The map is address space, not disk: the
    /// file grows only as pages are written. A database already larger than this opens at its size.
    public var mapBytesInitial: Int
    /// The map doubles on demand up to this many bytes; a write that needs more throws
    /// `StorageError.mapFull`.
    public var mapBytesMax: Int
    /// Read transactions that may be open at once, across every process using the database (LMDB's
    /// reader table; beyond it `read` throws `StorageError.readersFull`).
    public var readersMax: Int
    /// Whether a commit waits for the disk.
    public var durability: Durability

    public init(
        mapBytesInitial: Int = 64 * 1024 * 1024,
        mapBytesMax: Int = 1024 * 1024 * 1024 * 1024,
        readersMax: Int = 126,
        durability: Durability = .full
    ) {
        self.mapBytesInitial = mapBytesInitial
        self.mapBytesMax = mapBytesMax
        self.readersMax = readersMax
        self.durability = durability
    }

    /// Stops the process on options no store can work with.
    func check() {
        precondition(mapBytesInitial > 0, "mapBytesInitial must be positive, got \(mapBytesInitial)")
        precondition(mapBytesInitial <= mapBytesMax,
                     "mapBytesInitial (\(mapBytesInitial)) must not exceed mapBytesMax (\(mapBytesMax))")
        precondition(readersMax >= 1 && readersMax <= Int(Int32.max), "readersMax out of range: \(readersMax)")
    }
}

/// What a successful `write` promises about the disk.
public enum Durability: Sendable {
    /// A commit is flushed (`fsync`) before `write` returns, so it survives a crash of the process, the
    /// kernel or the machine. The default, and the only choice for a node: it signs what it stored.
    case full
    /// For tests only (LMDB's `MDB_NOSYNC`): commits are not flushed. A killed process loses nothing,
    /// but a kernel crash or power loss may lose recent commits or corrupt the database.
    case unsafeNoSyncForTests
}
