import Foundation
import PoUWStorage

/// The two implementations of `KeyValueStore`, for tests that run the same body against both.
enum Backend: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case lmdb
    case memory

    var description: String { rawValue }
}

/// A fresh directory path under the system temporary directory (not created), and its removal.
struct TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "/pouw-storage-tests-" + UUID().uuidString
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The error that test closures throw to abort a write.
struct AbortWrite: Error, Equatable {}

/// Runs `body` with a new, empty store of `backend` holding `tables`; an LMDB store lives in a
/// temporary directory that is closed and removed afterwards.
func withStore<T>(
    _ backend: Backend, tables: [any TableDeclaration], options: LMDBOptions = LMDBOptions(),
    _ body: (any KeyValueStore) throws -> T
) throws -> T {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    return try withStore(backend, in: directory.path, tables: tables, options: options, body)
}

/// Runs `body` with a store of `backend`; an LMDB store lives in `directory` (the caller removes it:
/// exit tests pass one in because their child process stops before it could clean up).
func withStore<T>(
    _ backend: Backend, in directory: String, tables: [any TableDeclaration], options: LMDBOptions = LMDBOptions(),
    _ body: (any KeyValueStore) throws -> T
) throws -> T {
    switch backend {
    case .memory:
        return try body(MemoryStore(tables: tables))
    case .lmdb:
        let store = try LMDBStore(directory: directory, tables: tables, options: options)
        defer { store.close() }
        return try body(store)
    }
}

/// Runs `body` with an LMDB store opened in `directory`, closing it afterwards.
func withLMDBStore<T>(
    _ directory: TemporaryDirectory, tables: [any TableDeclaration], options: LMDBOptions = LMDBOptions(),
    _ body: (LMDBStore) throws -> T
) throws -> T {
    let store = try LMDBStore(directory: directory.path, tables: tables, options: options)
    defer { store.close() }
    return try body(store)
}
