/// HMAC-SHA256 (RFC 2104, FIPS 198-1): the keyed hash under HKDF and so under the Noise handshake.
internal import CSodium

/// HMAC-SHA256 as libsodium's `crypto_auth_hmacsha256_init/update/final`, which accepts a key of
/// any length (a key longer than 64 bytes is first hashed, as RFC 2104 says).
public enum HMACSHA256 {
    /// Length of a tag, in bytes.
    public static let tagByteCount = 32

    /// The 32-byte tag of `message` under `key`.
    public static func authenticate(_ message: some Sequence<UInt8>, key: [UInt8]) -> [UInt8] {
        authenticate([Array(message)], key: key)
    }

    /// The tag of the concatenation of `parts` under `key`, without copying the parts together.
    public static func authenticate(_ parts: [[UInt8]], key: [UInt8]) -> [UInt8] {
        Sodium.ready()
        let state = UnsafeMutablePointer<crypto_auth_hmacsha256_state>.allocate(capacity: 1)
        defer {
            sodium_memzero(state, crypto_auth_hmacsha256_statebytes())
            state.deallocate()
        }
        // The C API wants a pointer even for an empty key; one spare byte provides it.
        let keyStorage = key + [0]
        let initStatus = keyStorage.withUnsafeBufferPointer {
            crypto_auth_hmacsha256_init(state, $0.baseAddress!, key.count)
        }
        precondition(initStatus == 0, "crypto_auth_hmacsha256_init failed")
        for part in parts {
            let status = part.withUnsafeBufferPointer {
                crypto_auth_hmacsha256_update(state, $0.baseAddress, UInt64($0.count))
            }
            precondition(status == 0, "crypto_auth_hmacsha256_update failed")
        }
        var tag = [UInt8](repeating: 0, count: tagByteCount)
        let finalStatus = tag.withUnsafeMutableBufferPointer { crypto_auth_hmacsha256_final(state, $0.baseAddress!) }
        precondition(finalStatus == 0, "crypto_auth_hmacsha256_final failed")
        return tag
    }
}
