/// The POSIX calls behind `KeyFile`, with EINTR retried and failures as `KeyFileError`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Runs a system call returning -1 on failure, retrying EINTR; throws `.io` on other failures.
    @discardableResult
    static func call(_ operation: String, _ path: String, _ body: () -> Int32) throws(KeyFileError) -> Int32 {
        while true {
            let result = body()
            if result != -1 { return result }
            if errno != EINTR { throw .io(path: path, operation: operation, code: errno) }
        }
    }

    /// Creates `path`, which must not exist, with exactly `mode`, writes `contents` and fsyncs.
    /// On failure the file is removed again.
    static func createPrivate(_ path: String, contents: [UInt8], mode: mode_t) throws(KeyFileError) {
        let fd = try call("create", path) { open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode) }
        defer { close(fd) }
        do {
            try fill(fd, path: path, contents: contents, mode: mode)
        } catch {
            unlink(path)
            throw error
        }
    }

    private static func fill(_ fd: Int32, path: String, contents: [UInt8], mode: mode_t) throws(KeyFileError) {
        // The umask may have cleared bits of `mode`; set it exactly.
        try call("chmod", path) { fchmod(fd, mode) }
        var written = 0
        while written < contents.count {
            let count = contents.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw .io(path: path, operation: "write", code: count < 0 ? errno : EIO) }
            written += count
        }
        try call("fsync", path) { fsync(fd) }
    }

    /// Hard-links `path` to `target`; `.alreadyExists` if `target` exists.
    static func linkNew(_ path: String, to target: String) throws(KeyFileError) {
        do {
            try call("link to \(target)", path) { link(path, target) }
        } catch .io(_, _, EEXIST) {
            throw .alreadyExists(path: target)
        }
    }

    /// Fsyncs the directory holding `path`, making a rename or link in it durable.
    static func syncDirectory(of path: String) throws(KeyFileError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let fd = try call("open directory", directory) { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { close(fd) }
        try call("fsync directory", directory) { fsync(fd) }
    }

    /// The contents and permission bits of the regular file at `path`, of at most `bytesMax` bytes.
    /// The checks use the opened descriptor, so the file cannot be swapped between check and read.
    static func readPrivate(_ path: String, bytesMax: Int) throws(KeyFileError) -> (bytes: [UInt8], mode: mode_t) {
        let fd: Int32
        do {
            fd = try call("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        } catch .io(_, _, ENOENT) {
            throw .missing(path: path)
        }
        defer { close(fd) }
        var info = stat()
        try call("stat", path) { fstat(fd, &info) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .corrupt(path: path, reason: "not a regular file") }
        var bytes = [UInt8](repeating: 0, count: bytesMax + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw .io(path: path, operation: "read", code: errno) }
            if count == 0 { break }
            filled += count
        }
        guard filled <= bytesMax else { throw .corrupt(path: path, reason: "larger than \(bytesMax) bytes") }
        return (Array(bytes[..<filled]), info.st_mode & 0o777)
    }
}
