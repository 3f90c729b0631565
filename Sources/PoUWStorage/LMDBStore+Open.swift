import CLMDB
import Foundation

/// The steps of opening an `LMDBStore`, before the store exists (so no gate or lock is needed yet).
extension LMDBStore {
    /// Creates `directory` and missing parents with mode 0700; returns its resolved path.
    static func makeDirectory(_ directory: String) throws(StorageError) -> String {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .cannotOpen(path: directory, reason: "mkdir \(prefix): \(LMDBContext.message(errno))")
            }
        }
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw .cannotOpen(path: directory, reason: "stat: \(LMDBContext.message(errno))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .cannotOpen(path: directory, reason: "it exists and is not a directory")
        }
        guard let resolved = realpath(directory, nil) else {
            throw .cannotOpen(path: directory, reason: "realpath: \(LMDBContext.message(errno))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Creates and opens the environment: `MDB_NOTLS` (see the type's documentation), `MDB_NOSYNC` only
    /// for `Durability.unsafeNoSyncForTests`, files mode 0600.
    static func openEnvironment(_ context: LMDBContext, tableCount: Int, options: LMDBOptions) throws
        -> OpaquePointer
    {
        var created: OpaquePointer?
        try opening(context, mdb_env_create(&created), "mdb_env_create")
        guard let env = created else { preconditionFailure("mdb_env_create succeeded without an environment") }
        do {
            try opening(context, mdb_env_set_maxdbs(env, MDB_dbi(tableCount)), "mdb_env_set_maxdbs")
            try opening(context, mdb_env_set_maxreaders(env, UInt32(options.readersMax)), "mdb_env_set_maxreaders")
            let pageBytes = sysconf(Int32(_SC_PAGESIZE))
            let mapBytes = (options.mapBytesInitial + pageBytes - 1) / pageBytes * pageBytes
            try opening(context, mdb_env_set_mapsize(env, mapBytes), "mdb_env_set_mapsize")
            var flags = UInt32(MDB_NOTLS)
            if options.durability == .unsafeNoSyncForTests { flags |= UInt32(MDB_NOSYNC) }
            try opening(context, mdb_env_open(env, context.path, flags, 0o600), "mdb_env_open")
        } catch {
            mdb_env_close(env)
            throw error
        }
        return env
    }

    /// Opens (creating) every table in one write transaction, growing the map if even that is too big.
    static func openTables(_ env: OpaquePointer, _ names: [String], _ context: LMDBContext) throws
        -> [String: MDB_dbi]
    {
        while true {
            var begun: OpaquePointer?
            var code = mdb_txn_begin(env, nil, 0, &begun)
            if code == MDB_MAP_RESIZED {
                try opening(context, mdb_env_set_mapsize(env, 0), "mdb_env_set_mapsize")
                continue
            }
            try opening(context, code, "mdb_txn_begin")
            var tables: [String: MDB_dbi] = [:]
            for name in names where code == MDB_SUCCESS {
                var dbi: MDB_dbi = 0
                code = mdb_dbi_open(begun, name, UInt32(MDB_CREATE), &dbi)
                tables[name] = dbi
            }
            if code == MDB_SUCCESS {
                code = mdb_txn_commit(begun)
            } else {
                mdb_txn_abort(begun)
            }
            if code == MDB_MAP_FULL {
                var info = MDB_envinfo()
                try opening(context, mdb_env_info(env, &info), "mdb_env_info")
                guard let next = grownMapBytes(info.me_mapsize, max: context.mapBytesMax) else {
                    throw StorageError.mapFull(path: context.path, mapBytesMax: context.mapBytesMax)
                }
                try opening(context, mdb_env_set_mapsize(env, next), "mdb_env_set_mapsize")
                continue
            }
            try opening(context, code, "mdb_dbi_open")
            return tables
        }
    }

    /// Like `LMDBContext.check`, but an operating-system error reads as "cannot open".
    static func opening(_ context: LMDBContext, _ code: Int32, _ operation: String) throws(StorageError) {
        do {
            try context.check(code, operation)
        } catch .io(let path, let operation, let detail) {
            throw .cannotOpen(path: path, reason: "\(operation): \(detail)")
        }
    }
}
