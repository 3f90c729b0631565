import CLMDB
import Foundation

/// A `KeyValueStore` in an LMDB database (one directory holding `data.mdb` and `lock.mdb`).
///
/// Beyond `KeyValueStore`'s contracts:
/// - Open: the directory is created (mode 0700) if missing, and reader slots left by crashed
///   processes are cleared (`mdb_reader_check`; the count is `staleReadersCleared`). A database may be
///   open once per process (a second open is a precondition failure) but in several processes at once.
/// - Durability: with `Durability.full` (the default) a `write` that returned is on disk; a crash at
///   any moment leaves exactly the transactions that committed before it, none half-applied.
/// - Threads: the environment is opened with `MDB_NOTLS`. Without it LMDB keeps one reader slot per
///   thread in thread-local storage, so a thread could not hold two reads at once (a read nested in a
///   read or in a write closure), and every thread that ever read (thread pools, Swift concurrency's
///   executors) would pin one of the `readersMax` slots until it exits. With it a slot belongs to a
///   read transaction and is freed when the read ends. LMDB write transactions stay bound to the
///   thread that began them (it owns LMDB's writer mutex): `write` runs its closure synchronously on
///   the calling thread, and writers on other threads wait on a lock, one at a time.
/// - Growth: when a write needs more room (`MDB_MAP_FULL`) the transaction is aborted, the map is
///   doubled (up to `LMDBOptions.mapBytesMax`) while no transaction is open in this process, and the
///   write closure runs again from the start. Hence the rule that it has no outside effects. Inside
///   the closure the failing call throws `StorageError.mapFull`: let it propagate (if the closure
///   swallows it, the store still aborts and retries). `write` itself throws `.mapFull` only when the
///   map would pass `mapBytesMax`.
///   When another process grew the map (`MDB_MAP_RESIZED`), the next transaction adopts its size.
/// - `close()` (or deinit) waits for open reads, then closes the environment. Using the store after
///   `close()` is a precondition failure.
public final class LMDBStore: KeyValueStore, @unchecked Sendable {
    /// The database directory, resolved (symbolic links and `..` removed).
    public let path: String
    /// Reader slots of dead processes cleared at open.
    public let staleReadersCleared: Int
    public let options: LMDBOptions

    private let env: OpaquePointer
    private let tables: [String: MDB_dbi]
    private let context: LMDBContext
    /// Held by the one running write, and by whoever changes the map size.
    private let writerLock = NSLock()
    private let gate = TransactionGate()

    /// Opens (creating if needed) the database in `directory` with `tables` (created if missing).
    /// - Throws: `StorageError.cannotOpen`, `.corrupted`, `.io`, `.mapFull`.
    /// - Precondition: valid `options`; unique table names; the database is not open in this process.
    public init(directory: String, tables declared: [any TableDeclaration], options: LMDBOptions = LMDBOptions())
        throws
    {
        options.check()
        let names = StorageLimits.tableNames(declared)
        let path = try Self.makeDirectory(directory)
        precondition(OpenDatabases.shared.insert(path),
                     "the database at \(path) is already open in this process; close it before opening it again")
        let context = LMDBContext(path: path, readersMax: options.readersMax, mapBytesMax: options.mapBytesMax)
        do {
            let env = try Self.openEnvironment(context, tableCount: names.count, options: options)
            do {
                var dead: Int32 = 0
                try Self.opening(context, mdb_reader_check(env, &dead), "mdb_reader_check")
                self.staleReadersCleared = Int(dead)
                self.tables = try Self.openTables(env, names, context)
            } catch {
                mdb_env_close(env)
                throw error
            }
            self.env = env
        } catch {
            OpenDatabases.shared.remove(path)
            throw error
        }
        self.path = path
        self.options = options
        self.context = context
    }

    deinit {
        close()
    }

    /// Closes the database after waiting for open reads. Calling it again does nothing.
    /// - Precondition: not called inside a transaction of this store.
    public func close() {
        gate.checkCurrentThreadHasNoTransaction("close")
        writerLock.lock()
        defer { writerLock.unlock() }
        guard gate.close() else { return }
        mdb_env_close(env)
        OpenDatabases.shared.remove(path)
    }

    /// The current map size in bytes (how large the database may grow before the map doubles again).
    public var mapBytes: Int {
        gate.enterRead()
        defer { gate.leaveRead() }
        return currentMapBytes()
    }

    public func read<T>(_ body: (any ReadTransaction) throws -> T) throws -> T {
        gate.enterRead()
        defer { gate.leaveRead() }
        let tx = LMDBTransaction(txn: try beginRead(), tables: tables, context: context, isWritable: false)
        defer { mdb_txn_abort(tx.close()) }
        return try body(tx)
    }

    @discardableResult
    public func write<T>(_ body: (any WriteTransaction) throws -> T) throws -> T {
        gate.checkCurrentThreadHasNoTransaction("write")
        writerLock.lock()
        defer { writerLock.unlock() }
        gate.setCurrentThreadIsWriter(true)
        defer { gate.setCurrentThreadIsWriter(false) }
        while true {
            switch try attemptWrite(body) {
            case .committed(let result): return result
            case .needsMapGrowth: try growMap()
            }
        }
    }

    // MARK: Transactions

    private enum WriteAttempt<T> {
        case committed(T)
        case needsMapGrowth
    }

    /// Runs `body` once in a fresh write transaction and commits it. The caller holds the writer lock.
    private func attemptWrite<T>(_ body: (any WriteTransaction) throws -> T) throws -> WriteAttempt<T> {
        let tx = LMDBTransaction(txn: try beginWrite(), tables: tables, context: context, isWritable: true)
        let result: T
        do {
            result = try body(tx)
        } catch {
            mdb_txn_abort(tx.close())
            if tx.needsMapGrowth { return .needsMapGrowth }
            throw error
        }
        let txn = tx.close()
        // A call failed but the closure swallowed the error: LMDB has marked the transaction failed.
        if tx.needsMapGrowth {
            mdb_txn_abort(txn)
            return .needsMapGrowth
        }
        if let failure = tx.failure {
            mdb_txn_abort(txn)
            throw failure
        }
        let code = mdb_txn_commit(txn)  // Frees the transaction, also when it fails.
        if code == MDB_MAP_FULL { return .needsMapGrowth }
        try context.check(code, "mdb_txn_commit")
        return .committed(result)
    }

    /// Begins the write transaction, adopting a map grown by another process. Holds the writer lock.
    private func beginWrite() throws -> OpaquePointer {
        while true {
            var txn: OpaquePointer?
            let code = mdb_txn_begin(env, nil, 0, &txn)
            if code == MDB_SUCCESS, let txn { return txn }
            guard code == MDB_MAP_RESIZED else { throw context.error(code, "mdb_txn_begin") }
            try gate.withExclusive { try context.check(mdb_env_set_mapsize(env, 0), "mdb_env_set_mapsize") }
        }
    }

    /// Begins a read transaction; this thread has entered the gate for it.
    private func beginRead() throws -> OpaquePointer {
        while true {
            var txn: OpaquePointer?
            let code = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            if code == MDB_SUCCESS, let txn { return txn }
            guard code == MDB_MAP_RESIZED else { throw context.error(code, "mdb_txn_begin") }
            try adoptMapGrownElsewhere()
        }
    }

    /// Maps the size another process grew the database to. Called from a read whose thread holds no
    /// other transaction; it steps out of the gate, since resizing needs every transaction closed.
    private func adoptMapGrownElsewhere() throws {
        guard gate.readDepthOfCurrentThread == 1 && !gate.currentThreadIsWriter else {
            throw StorageError.mapResizedByAnotherProcess(path: path)
        }
        gate.leaveRead()
        defer { gate.enterRead() }
        writerLock.lock()
        defer { writerLock.unlock() }
        try gate.withExclusive { try context.check(mdb_env_set_mapsize(env, 0), "mdb_env_set_mapsize") }
    }

    /// Doubles the map, up to `mapBytesMax`. The caller holds the writer lock and has no transaction.
    private func growMap() throws {
        guard let next = Self.grownMapBytes(currentMapBytes(), max: options.mapBytesMax) else {
            throw StorageError.mapFull(path: path, mapBytesMax: options.mapBytesMax)
        }
        try gate.withExclusive { try context.check(mdb_env_set_mapsize(env, next), "mdb_env_set_mapsize") }
    }

    private func currentMapBytes() -> Int {
        var info = MDB_envinfo()
        let code = mdb_env_info(env, &info)
        precondition(code == MDB_SUCCESS, "mdb_env_info failed: \(LMDBContext.message(code))")
        return info.me_mapsize
    }

    /// Twice `current`, capped at `max`; `nil` when `current` already reached `max`.
    static func grownMapBytes(_ current: Int, max: Int) -> Int? {
        guard current < max else { return nil }
        return current > max / 2 ? max : current * 2
    }
}
