#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes a `GGUFFile` reads: a read-only private mapping of a file, or an owned copy of a buffer.
/// Released exactly once, in `deinit`.
final class GGUFStorage: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    /// The allocation behind `bytes` when it is a copy; nil when `bytes` is a mapping.
    private let owned: UnsafeMutableRawBufferPointer?

    /// Maps the whole file read-only. Nothing is copied; pages load on first touch.
    init(mapping path: String) throws(GGUFError) {
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw .cannotOpen(path: path, operation: "open", errno: errno) }
        defer { _ = close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw .cannotOpen(path: path, operation: "fstat", errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw .cannotOpen(path: path, operation: "open (not a regular file)", errno: EINVAL)
        }
        let size = Int(info.st_size)
        guard size > 0 else { throw .truncated(at: 0, reading: "magic") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
            base != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            throw .cannotOpen(path: path, operation: "mmap", errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        owned = nil
    }

    /// Copies `source` into memory this object owns.
    init(copying source: [UInt8]) {
        let allocation = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 64)
        source.withUnsafeBytes { allocation.copyMemory(from: $0) }
        bytes = UnsafeRawBufferPointer(rebasing: allocation[0..<source.count])
        owned = allocation
    }

    deinit {
        if let owned {
            owned.deallocate()
        } else if let base = bytes.baseAddress {
            let result = munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
            precondition(result == 0, "munmap of a mapping we own failed: errno \(errno)")
        }
    }
}
