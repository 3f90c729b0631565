import Foundation

/// The LMDB databases open in this process, by resolved path.
///
/// LMDB forbids opening one environment twice in a process: its POSIX record locks belong to the
/// process, so closing either handle would drop the other's locks and corrupt the reader table.
final class OpenDatabases: @unchecked Sendable {
    static let shared = OpenDatabases()

    private let lock = NSLock()
    private var paths: Set<String> = []

    /// Records `path` as open; `false` if it already was.
    func insert(_ path: String) -> Bool {
        lock.withLock { paths.insert(path).inserted }
    }

    func remove(_ path: String) {
        _ = lock.withLock { paths.remove(path) }
    }
}
