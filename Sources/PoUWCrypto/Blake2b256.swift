/// BLAKE2b-256: the protocol's hash (block ids, Merkle trees, addresses, content ids).
public import PoUWCore
internal import CSodium

/// BLAKE2b (RFC 7693) with a 32-byte output and no key, as libsodium's `crypto_generichash`.
public enum Blake2b256 {
    /// The digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> Hash32 {
        Sodium.ready()
        var digest = [UInt8](repeating: 0, count: Hash32.byteCount)
        let status = bytes.withContiguousBytes { input in
            digest.withUnsafeMutableBufferPointer { out in
                crypto_generichash(out.baseAddress!, out.count, input.baseAddress, UInt64(input.count), nil, 0)
            }
        }
        precondition(status == 0, "crypto_generichash rejected a 32-byte unkeyed digest")
        return Hash32(digest)
    }

    /// An incremental BLAKE2b-256: `update` any number of times, then `finalize` once. The digest
    /// equals `Blake2b256.hash` of the concatenated updates. Not copyable, so a state can neither be
    /// finalised twice nor forked by accident.
    public struct Hasher: ~Copyable {
        /// libsodium declares the state 64-byte aligned, which Swift cannot import as a type, so the
        /// state is opaque memory of `crypto_generichash_statebytes()` allocated with that alignment.
        private let memory: UnsafeMutableRawPointer
        private var state: OpaquePointer { OpaquePointer(memory) }

        public init() {
            Sodium.ready()
            memory = .allocate(byteCount: crypto_generichash_statebytes(), alignment: Self.stateAlignment)
            let status = crypto_generichash_init(state, nil, 0, Hash32.byteCount)
            precondition(status == 0, "crypto_generichash_init rejected a 32-byte unkeyed digest")
        }

        deinit {
            sodium_memzero(memory, crypto_generichash_statebytes())
            memory.deallocate()
        }

        /// `CRYPTO_ALIGN(64)` in `crypto_generichash_blake2b.h`.
        private static let stateAlignment = 64

        /// Appends `bytes` to the hashed input.
        public mutating func update(_ bytes: some Sequence<UInt8>) {
            let status = bytes.withContiguousBytes { input in
                crypto_generichash_update(state, input.baseAddress, UInt64(input.count))
            }
            precondition(status == 0, "crypto_generichash_update failed")
        }

        /// The digest of everything appended so far. Ends the hasher.
        public consuming func finalize() -> Hash32 {
            var digest = [UInt8](repeating: 0, count: Hash32.byteCount)
            let status = digest.withUnsafeMutableBufferPointer { out in
                crypto_generichash_final(state, out.baseAddress!, out.count)
            }
            precondition(status == 0, "crypto_generichash_final failed")
            return Hash32(digest)
        }
    }
}
