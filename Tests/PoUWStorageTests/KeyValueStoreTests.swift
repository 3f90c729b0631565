import Foundation
import PoUWCore
import PoUWStorage
import Testing

/// The `KeyValueStore` contracts, each test run against both `LMDBStore` and `MemoryStore`.
@Suite struct KeyValueStoreTests {
    static let names = Table<String, String>("names")
    static let heights = Table<UInt64, Hash32>("heights")
    static let raw = Table<[UInt8], [UInt8]>("raw")
    static let tables: [any TableDeclaration] = [names, heights, raw]

    /// The keys of `raw` used by the scan tests, in the byte order stores must keep.
    static let orderedKeys: [[UInt8]] = [[0, 5], [1], [1, 0], [1, 255], [2], [3, 3, 3], [255]]

    static func hash(_ seed: UInt64) -> Hash32 {
        var generator = SeededGenerator(seed: seed)
        return Hash32((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    @Test("put stores a value that get returns; delete removes it and says whether it was there",
          arguments: Backend.allCases)
    func putGetDelete(backend: Backend) throws {
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { (tx) throws in
                try tx.put(Self.names, "alice", "host")
                try tx.put(Self.names, "bob", "validator")
                try tx.put(Self.names, "alice", "gateway")
            }
            #expect(try store.read { try $0.get(Self.names, "alice") } == "gateway")
            #expect(try store.read { try $0.get(Self.names, "carol") } == nil)
            let deletions = try store.write { (tx) throws in
                [try tx.delete(Self.names, "alice"), try tx.delete(Self.names, "alice"), try tx.delete(Self.names, "x")]
            }
            #expect(deletions == [true, false, false])
            #expect(try store.read { try $0.get(Self.names, "alice") } == nil)
            #expect(try store.read { try $0.get(Self.names, "bob") } == "validator")
            #expect(try store.read { try $0.count(Self.names) } == 1)
        }
    }

    @Test("a write sees its own changes; a read inside it sees only committed state", arguments: Backend.allCases)
    func writeSeesOwnChanges(backend: Backend) throws {
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { try $0.put(Self.names, "k", "old") }
            try store.write { (tx) throws in
                try tx.put(Self.names, "k", "new")
                #expect(try tx.get(Self.names, "k") == "new")
                #expect(try store.read { try $0.get(Self.names, "k") } == "old")
            }
            #expect(try store.read { try $0.get(Self.names, "k") } == "new")
        }
    }

    @Test("a write that throws leaves nothing behind: no puts, no deletes, no clears", arguments: Backend.allCases)
    func abortedWrite(backend: Backend) throws {
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { (tx) throws in
                try tx.put(Self.names, "kept", "1")
                try tx.put(Self.heights, 7, Self.hash(7))
            }
            #expect(throws: AbortWrite()) {
                try store.write { (tx) throws in
                    try tx.put(Self.names, "added", "2")
                    try tx.put(Self.names, "kept", "changed")
                    try tx.delete(Self.heights, 7)
                    try tx.removeAll(Self.raw)
                    throw AbortWrite()
                }
            }
            try store.read { (tx) throws in
                #expect(try tx.get(Self.names, "added") == nil)
                #expect(try tx.get(Self.names, "kept") == "1")
                #expect(try tx.get(Self.heights, 7) == Self.hash(7))
                #expect(try tx.count(Self.names) == 1)
            }
        }
    }

    @Test("scan walks keys in byte order from a seek key, forwards and backwards, up to its limit",
          arguments: Backend.allCases)
    func scanOrderAndSeek(backend: Backend) throws {
        var generator = SeededGenerator(seed: 42)
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { (tx) throws in
                for key in Self.orderedKeys.shuffled(using: &generator) { try tx.put(Self.raw, key, key + key) }
            }
            let keys = Self.orderedKeys
            try store.read { (tx) throws in
                func scan(_ start: [UInt8]?, _ direction: ScanDirection, _ limit: Int) throws -> [[UInt8]] {
                    let entries = try tx.scan(Self.raw, from: start, direction: direction, limit: limit)
                    #expect(entries.allSatisfy { $0.value == $0.key + $0.key })
                    return entries.map(\.key)
                }
                #expect(try scan(nil, .forward, 100) == keys)
                #expect(try scan(nil, .forward, 3) == Array(keys[0..<3]))
                #expect(try scan([1, 0], .forward, 2) == [[1, 0], [1, 255]])
                #expect(try scan([1, 1], .forward, 3) == [[1, 255], [2], [3, 3, 3]])
                #expect(try scan([0], .forward, 1) == [[0, 5]])
                #expect(try scan([255, 0], .forward, 5) == [])
                #expect(try scan(nil, .backward, 3) == [[255], [3, 3, 3], [2]])
                #expect(try scan([2], .backward, 2) == [[2], [1, 255]])
                #expect(try scan([1, 128], .backward, 10) == [[1, 0], [1], [0, 5]])
                #expect(try scan([255, 255], .backward, 1) == [[255]])
                #expect(try scan([0], .backward, 5) == [])
                #expect(try scan(nil, .forward, 0) == [])
            }
        }
    }

    @Test("UInt64 keys scan in numeric order", arguments: Backend.allCases)
    func numericOrder(backend: Backend) throws {
        let heights: [UInt64] = [256, 1, 65_536, 0, .max, 255, 2, 1 << 40]
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { (tx) throws in
                for height in heights { try tx.put(Self.heights, height, Self.hash(height)) }
            }
            try store.read { (tx) throws in
                let all = try tx.scan(Self.heights, limit: 100)
                #expect(all.map(\.key) == [0, 1, 2, 255, 256, 65_536, 1 << 40, .max])
                #expect(all.allSatisfy { $0.value == Self.hash($0.key) })
                #expect(try tx.scan(Self.heights, from: 257, limit: 2).map(\.key) == [65_536, 1 << 40])
                #expect(try tx.scan(Self.heights, from: 300, direction: .backward, limit: 2).map(\.key) == [256, 255])
                #expect(try tx.count(Self.heights) == heights.count)
            }
        }
    }

    @Test("removeAll empties one table and leaves the others", arguments: Backend.allCases)
    func removeAll(backend: Backend) throws {
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { (tx) throws in
                for height in UInt64(0)..<10 { try tx.put(Self.heights, height, Self.hash(height)) }
                try tx.put(Self.names, "a", "b")
            }
            try store.write { try $0.removeAll(Self.heights) }
            #expect(try store.read { try $0.count(Self.heights) } == 0)
            #expect(try store.read { try $0.scan(Self.heights, limit: 10) }.isEmpty)
            #expect(try store.read { try $0.get(Self.names, "a") } == "b")
        }
    }

    @Test("keys must be 1 to 511 bytes; values may be empty", arguments: Backend.allCases)
    func keyLimits(backend: Backend) throws {
        let longest = [UInt8](repeating: 7, count: StorageLimits.keyBytesMax)
        let tooLong = longest + [7]
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { (tx) throws in
                #expect(throws: StorageError.keyTooLarge(table: "raw", byteCount: 512, byteCountMax: 511)) {
                    try tx.put(Self.raw, tooLong, [1])
                }
                #expect(throws: StorageError.emptyKey(table: "raw")) { try tx.put(Self.raw, [], [1]) }
                #expect(throws: StorageError.emptyKey(table: "names")) { try tx.delete(Self.names, "") }
                try tx.put(Self.raw, longest, [1])
                try tx.put(Self.raw, [9], [])
            }
            try store.read { (tx) throws in
                #expect(try tx.get(Self.raw, longest) == [1])
                #expect(try tx.get(Self.raw, [9]) == [])
                #expect(throws: StorageError.keyTooLarge(table: "raw", byteCount: 512, byteCountMax: 511)) {
                    try tx.get(Self.raw, tooLong)
                }
                #expect(throws: StorageError.emptyKey(table: "raw")) { try tx.scan(Self.raw, from: [], limit: 1) }
            }
        }
    }

    @Test("entries that do not decode as the table's types throw errors naming the table",
          arguments: Backend.allCases)
    func decodeFailures(backend: Backend) throws {
        let rawAsNumbers = Table<UInt64, UInt64>("raw")
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { try $0.put(Self.raw, [1, 2, 3], [4, 5, 6]) }
            try store.read { (tx) throws in
                #expect(throws: StorageError.valueDecodeFailed(table: "raw", byteCount: 3)) {
                    try tx.get(Table<[UInt8], UInt64>("raw"), [1, 2, 3])
                }
                #expect(throws: StorageError.keyDecodeFailed(table: "raw", byteCount: 3)) {
                    try tx.scan(rawAsNumbers, limit: 1)
                }
            }
        }
    }

    @Test("a read keeps its snapshot while another thread commits a write", arguments: Backend.allCases)
    func snapshotIsolation(backend: Backend) throws {
        try withStore(backend, tables: Self.tables) { (store) throws in
            try store.write { try $0.put(Self.names, "k", "before") }
            try store.read { (tx) throws in
                #expect(try tx.get(Self.names, "k") == "before")
                let written = DispatchSemaphore(value: 0)
                let writer = Thread {
                    _ = try? store.write { try $0.put(Self.names, "k", "after") }
                    written.signal()
                }
                writer.start()
                written.wait()
                #expect(try tx.get(Self.names, "k") == "before")
            }
            #expect(try store.read { try $0.get(Self.names, "k") } == "after")
        }
    }

    /// Precondition failures trap (a signal); a thrown error would exit with a status instead, so the
    /// tests below check for a signal. (Release builds do not print precondition messages.)
    @Test("misuse traps: an escaped transaction, nested writes, a write inside a read, an undeclared table",
          arguments: Backend.allCases)
    func misuseTraps(backend: Backend) async {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path
        let escaped = await #expect(processExitsWith: .failure) { [backend, path = path as String] in
            try withStore(backend, in: path, tables: KeyValueStoreTests.tables) { store in
                let escaped = try store.read { $0 }
                _ = try escaped.get(KeyValueStoreTests.names, "k")
            }
        }
        let nested = await #expect(processExitsWith: .failure) { [backend, path = path as String] in
            try withStore(backend, in: path, tables: KeyValueStoreTests.tables) { store in
                try store.write { _ in try store.write { _ in } }
            }
        }
        let writeInRead = await #expect(processExitsWith: .failure) { [backend, path = path as String] in
            try withStore(backend, in: path, tables: KeyValueStoreTests.tables) { store in
                try store.read { _ in try store.write { _ in } }
            }
        }
        let undeclared = await #expect(processExitsWith: .failure) { [backend, path = path as String] in
            try withStore(backend, in: path, tables: KeyValueStoreTests.tables) { store in
                _ = try store.read { try $0.get(Table<String, String>("undeclared"), "k") }
            }
        }
        for result in [escaped, nested, writeInRead, undeclared] {
            guard case .signal = result?.exitStatus else {
                Issue.record("expected a trap, got \(String(describing: result?.exitStatus))")
                continue
            }
        }
    }
}
