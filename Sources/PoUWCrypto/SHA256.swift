/// SHA-256: for interoperability (Noise handshake hash, HKDF/HMAC, external formats). Protocol
/// hashes use `Blake2b256`.
public import PoUWCore
internal import CSodium

/// SHA-256 (FIPS 180-4), as libsodium's `crypto_hash_sha256`.
public enum SHA256 {
    /// The digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> Hash32 {
        Sodium.ready()
        var digest = [UInt8](repeating: 0, count: Hash32.byteCount)
        let status = bytes.withContiguousBytes { input in
            digest.withUnsafeMutableBufferPointer { out in
                crypto_hash_sha256(out.baseAddress!, input.baseAddress, UInt64(input.count))
            }
        }
        precondition(status == 0, "crypto_hash_sha256 failed")
        return Hash32(digest)
    }

    /// An incremental SHA-256: `update` any number of times, then `finalize` once. The digest
    /// equals `SHA256.hash` of the concatenated updates. Not copyable, like `Blake2b256.Hasher`.
    public struct Hasher: ~Copyable {
        private let state: UnsafeMutablePointer<crypto_hash_sha256_state>

        public init() {
            Sodium.ready()
            state = .allocate(capacity: 1)
            let status = crypto_hash_sha256_init(state)
            precondition(status == 0, "crypto_hash_sha256_init failed")
        }

        deinit {
            sodium_memzero(state, crypto_hash_sha256_statebytes())
            state.deallocate()
        }

        /// Appends `bytes` to the hashed input.
        public mutating func update(_ bytes: some Sequence<UInt8>) {
            let status = bytes.withContiguousBytes { input in
                crypto_hash_sha256_update(state, input.baseAddress, UInt64(input.count))
            }
            precondition(status == 0, "crypto_hash_sha256_update failed")
        }

        /// The digest of everything appended so far. Ends the hasher.
        public consuming func finalize() -> Hash32 {
            var digest = [UInt8](repeating: 0, count: Hash32.byteCount)
            let status = digest.withUnsafeMutableBufferPointer { out in
                crypto_hash_sha256_final(state, out.baseAddress!)
            }
            precondition(status == 0, "crypto_hash_sha256_final failed")
            return Hash32(digest)
        }
    }
}
