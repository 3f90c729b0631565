import Foundation
import PoUWCore
import PoUWStorage
import Testing

/// What only the on-disk store does: persist, grow its map, open and recover its files.
@Suite struct LMDBStoreTests {
    static let blobs = Table<UInt64, [UInt8]>("blobs")
    static let names = Table<String, String>("names")
    static let fill = Table<UInt64, [UInt8]>("fill")
    static let tables: [any TableDeclaration] = [blobs, names]
    static let tinyMap = LMDBOptions(mapBytesInitial: 64 * 1024)

    static func blob(_ index: UInt64, bytes: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: index)
        return (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Checks `count` blobs of `bytes` bytes each, written by `writeBlobs`, are all there.
    static func expectBlobs(_ store: LMDBStore, count: Int, bytes: Int) throws {
        let entries = try store.read { try $0.scan(blobs, limit: count + 1) }
        #expect(entries.map(\.key) == (0..<UInt64(count)).map { $0 })
        #expect(entries.allSatisfy { $0.value == blob($0.key, bytes: bytes) })
    }

    @Test("what was written is there after close and reopen")
    func reopen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try withLMDBStore(directory, tables: Self.tables) { store in
            try store.write { tx in
                try tx.put(Self.names, "chain", "pouw-test")
                for index in UInt64(0)..<20 { try tx.put(Self.blobs, index, Self.blob(index, bytes: 100)) }
            }
            try store.write { try $0.delete(Self.blobs, 19) }
        }
        try withLMDBStore(directory, tables: Self.tables) { store in
            #expect(store.staleReadersCleared == 0)
            #expect(try store.read { try $0.get(Self.names, "chain") } == "pouw-test")
            try Self.expectBlobs(store, count: 19, bytes: 100)
        }
    }

    @Test("open creates the directory and its missing parents with mode 0700")
    func createsDirectory() throws {
        let parent = TemporaryDirectory()
        defer { parent.remove() }
        let nested = parent.path + "/a/b"
        let store = try LMDBStore(directory: nested, tables: Self.tables)
        store.close()
        for path in [parent.path, nested] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        }
        #expect(FileManager.default.fileExists(atPath: nested + "/data.mdb"))
    }

    @Test("a 64 KiB map grows to hold 6 MiB written in 96 transactions, all there after reopening")
    func growsAcrossTransactions() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let blobBytes = 16 * 1024
        try withLMDBStore(directory, tables: Self.tables, options: Self.tinyMap) { store in
            for transaction in UInt64(0)..<96 {
                try store.write { tx in
                    for index in transaction * 4..<transaction * 4 + 4 {
                        try tx.put(Self.blobs, index, Self.blob(index, bytes: blobBytes))
                    }
                }
            }
            #expect(store.mapBytes >= 6 * 1024 * 1024)
        }
        try withLMDBStore(directory, tables: Self.tables, options: Self.tinyMap) { store in
            try Self.expectBlobs(store, count: 384, bytes: blobBytes)
        }
    }

    @Test("one 8 MiB transaction on a 64 KiB map grows the map, re-runs the closure and commits")
    func growsWithinOneTransaction() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let blobBytes = 64 * 1024
        var runs = 0
        try withLMDBStore(directory, tables: Self.tables, options: Self.tinyMap) { store in
            let result = try store.write { tx in
                runs += 1
                for index in UInt64(0)..<128 { try tx.put(Self.blobs, index, Self.blob(index, bytes: blobBytes)) }
                return "done"
            }
            #expect(result == "done")
            #expect(store.mapBytes >= 8 * 1024 * 1024)
        }
        #expect(runs > 1)
        try withLMDBStore(directory, tables: Self.tables, options: Self.tinyMap) { store in
            try Self.expectBlobs(store, count: 128, bytes: blobBytes)
        }
    }

    @Test("a write that needs more than mapBytesMax throws mapFull and leaves the store usable")
    func mapBytesMaxIsABound() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let options = LMDBOptions(mapBytesInitial: 64 * 1024, mapBytesMax: 256 * 1024)
        try withLMDBStore(directory, tables: Self.tables, options: options) { store in
            #expect(throws: StorageError.mapFull(path: store.path, mapBytesMax: 256 * 1024)) {
                try store.write { tx in
                    try tx.put(Self.names, "partial", "yes")
                    for index in UInt64(0)..<64 { try tx.put(Self.blobs, index, Self.blob(index, bytes: 16 * 1024)) }
                }
            }
            try store.write { try $0.put(Self.names, "after", "ok") }
            #expect(try store.read { try $0.get(Self.names, "partial") } == nil)
            #expect(try store.read { try $0.get(Self.names, "after") } == "ok")
            #expect(try store.read { try $0.count(Self.blobs) } == 0)
        }
    }

    @Test("opening a regular file, or a directory under one, throws cannotOpen naming the path")
    func cannotOpen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: false)
        let file = directory.path + "/file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3])))
        for path in [file, file + "/db"] {
            let error = #expect(throws: StorageError.self) { try LMDBStore(directory: path, tables: Self.tables) }
            guard case .cannotOpen(let reported, let reason)? = error else {
                Issue.record("expected cannotOpen, got \(String(describing: error))")
                continue
            }
            #expect(reported == path)
            #expect(!reason.isEmpty)
        }
    }

    @Test("a data file that is not an LMDB database throws corrupted")
    func garbageIsCorrupted() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: false)
        let garbage = Data(Self.blob(1, bytes: 64 * 1024))
        #expect(FileManager.default.createFile(atPath: directory.path + "/data.mdb", contents: garbage))
        let error = #expect(throws: StorageError.self) { try LMDBStore(directory: directory.path, tables: Self.tables) }
        guard case .corrupted? = error else {
            Issue.record("expected corrupted, got \(String(describing: error))")
            return
        }
    }

    @Test("open clears the reader slot of a killed process and then works normally")
    func clearsStaleReaders() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        // A second process keeps the database open, so the lock file is not reset at our open and
        // the dead reader's slot is still there for mdb_reader_check to find.
        let holder = try ProbeProcess(["hold-open", directory.path])
        defer { holder.kill() }
        #expect(try holder.requireLine(awaiting: "hold-open ready") == "ready")
        let reader = try ProbeProcess(["hold-reader", directory.path])
        #expect(try reader.requireLine(awaiting: "hold-reader ready") == "ready")
        reader.kill()
        #expect(reader.wasKilled)
        try withLMDBStore(directory, tables: [Self.fill]) { store in
            #expect(store.staleReadersCleared == 1)
            try store.write { try $0.put(Self.fill, 1, [1]) }
            #expect(try store.read { try $0.get(Self.fill, 1) } == [1])
        }
    }

    @Test("a map grown by another process is adopted by the next read and write")
    func adoptsMapGrownElsewhere() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try withLMDBStore(directory, tables: [Self.fill], options: Self.tinyMap) { store in
            try store.write { try $0.put(Self.fill, 1_000_000, [7]) }
            let mapBytesBefore = store.mapBytes
            let filler = try ProbeProcess(["fill", directory.path, String(4 * 1024 * 1024)])
            let done = try filler.requireLine(awaiting: "fill done")
            filler.kill()
            let count = try #require(done.split(separator: " ").last.flatMap { Int($0) })
            let entries = try store.read { try $0.scan(Self.fill, limit: count + 2) }
            #expect(entries.count == count + 1)
            #expect(store.mapBytes > mapBytesBefore)
            try store.write { try $0.put(Self.fill, 1_000_001, [8]) }
            #expect(try store.read { try $0.count(Self.fill) } == count + 2)
        }
    }

    @Test("opening a database twice in one process, or using a closed store, traps")
    func misuseTraps() async {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let twice = await #expect(processExitsWith: .failure) { [path = directory.path as String] in
            let first = try LMDBStore(directory: path, tables: LMDBStoreTests.tables)
            let second = try LMDBStore(directory: path, tables: LMDBStoreTests.tables)
            withExtendedLifetime((first, second)) {}
        }
        let afterClose = await #expect(processExitsWith: .failure) { [path = directory.path as String] in
            let store = try LMDBStore(directory: path, tables: LMDBStoreTests.tables)
            store.close()
            _ = try store.read { try $0.count(LMDBStoreTests.names) }
        }
        for result in [twice, afterClose] {
            guard case .signal = result?.exitStatus else {
                Issue.record("expected a trap, got \(String(describing: result?.exitStatus))")
                continue
            }
        }
    }
}
