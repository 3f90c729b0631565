/// The one place libsodium is initialised. Every public entry point of PoUWCrypto that calls into
/// libsodium first calls `Sodium.ready()`, so callers never see or order the initialisation.
internal import CSodium

/// `sodium_init()` picks the fastest implementations for this CPU and opens the OS random source.
/// It must run once before any other libsodium call. A Swift global `let` is initialised lazily,
/// exactly once, under a lock (`swift_once`), which is the thread-safe "once" we need.
private let sodiumInitStatus: Int32 = sodium_init()

enum Sodium {
    /// Ensures libsodium is initialised. Cheap after the first call (one atomic load).
    /// - Precondition: `sodium_init()` succeeded (it fails only when the OS offers no random source,
    ///   in which case no key can be generated safely and stopping is the right outcome).
    static func ready() {
        // 0: initialised now, 1: already initialised (by another library in the process), -1: failure.
        precondition(sodiumInitStatus >= 0, "libsodium failed to initialise (no OS random source?)")
    }
}

extension Sequence<UInt8> {
    /// Calls `body` with the bytes as one contiguous buffer, copying only when the sequence is not
    /// already contiguous.
    func withContiguousBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let result = withContiguousStorageIfAvailable(body) { return result }
        return Array(self).withUnsafeBufferPointer(body)
    }
}
