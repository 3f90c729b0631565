/// Key files: a node's or an account's Ed25519 seed on disk.
///
/// Format: one line of JSON, UTF-8, at most `KeyFile.fileBytesMax` bytes:
///
///     {"type":"ed25519","seed":"<64 hex digits>","public_key":"<64 hex digits>"}
///
/// The public key is redundant (it follows from the seed) and is checked on every read, so a
/// damaged seed is caught instead of silently becoming another identity. The file is private to
/// its owner: written with mode 0600 and refused on read when group or others have any access.
import PoUWCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum KeyFile {
    /// Largest key file accepted, in bytes (a valid one is about 170).
    public static let fileBytesMax = 4096
    /// The only `type` written and accepted.
    public static let keyType = "ed25519"

    private static let permissions: mode_t = 0o600
    private static let permissionsOthersMask: mode_t = 0o077

    /// Writes `keyPair` to `path` atomically and durably: the bytes go to a fresh temporary file in
    /// the same directory (created with `O_CREAT | O_EXCL`, mode 0600), are fsynced, the file is
    /// moved into place and the directory is fsynced. A crash leaves either no key file or a
    /// complete one, never a partial one.
    /// - Parameter overwrite: replace an existing file at `path`. Without it an existing file is
    ///   never replaced, even one created concurrently (the move is a `link(2)`, which fails if
    ///   `path` exists).
    /// - Throws: `KeyFileError.alreadyExists`, `.io`.
    public static func write(_ keyPair: KeyPair, to path: String, overwrite: Bool = false) throws(KeyFileError) {
        if !overwrite && FileSystem.exists(path) { throw .alreadyExists(path: path) }
        let temporary = "\(path).tmp-\(Hex.encode(SystemEntropy.bytes(count: 8)))"
        try FileSystem.createPrivate(temporary, contents: encode(keyPair), mode: permissions)
        do {
            if overwrite {
                try FileSystem.call("rename to \(path)", temporary) { rename(temporary, path) }
            } else {
                try FileSystem.linkNew(temporary, to: path)
                unlink(temporary)
            }
            try FileSystem.syncDirectory(of: path)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Reads the key pair stored at `path`.
    /// - Throws: `KeyFileError.missing` (no such file), `.insecurePermissions` (group or others
    ///   have any access: the message says to `chmod 600`), `.corrupt` (not a regular file, too
    ///   large, not the JSON above, another key type, bad hex, or a public key that does not
    ///   match the seed), `.io` (any other failure to read).
    public static func read(_ path: String) throws(KeyFileError) -> KeyPair {
        let (bytes, mode) = try FileSystem.readPrivate(path, bytesMax: fileBytesMax)
        guard mode & permissionsOthersMask == 0 else { throw .insecurePermissions(path: path, mode: UInt32(mode)) }
        return try decode(bytes, path: path)
    }

    private struct Document: Decodable {
        var type: String
        var seed: String
        var publicKey: String

        enum CodingKeys: String, CodingKey {
            case type
            case seed
            case publicKey = "public_key"
        }
    }

    private static func encode(_ keyPair: KeyPair) -> [UInt8] {
        let seed = Hex.encode(keyPair.seed)
        let line = "{\"type\":\"\(keyType)\",\"seed\":\"\(seed)\",\"public_key\":\"\(keyPair.publicKey)\"}\n"
        return Array(line.utf8)
    }

    private static func decode(_ bytes: [UInt8], path: String) throws(KeyFileError) -> KeyPair {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch {
            throw .corrupt(path: path, reason: "not a JSON object with string fields type, seed and public_key")
        }
        guard document.type == keyType else {
            throw .corrupt(path: path, reason: "key type \"\(document.type)\" where \"\(keyType)\" was expected")
        }
        guard let seed = Hex.decode(document.seed), seed.count == KeyPair.seedByteCount else {
            throw .corrupt(path: path, reason: "seed is not \(KeyPair.seedByteCount * 2) hex digits")
        }
        guard let publicKey = Hex.decode(document.publicKey), publicKey.count == PublicKey.byteCount else {
            throw .corrupt(path: path, reason: "public_key is not \(PublicKey.byteCount * 2) hex digits")
        }
        let keyPair = KeyPair(seed: seed)
        guard keyPair.publicKey.bytes == publicKey else {
            throw .corrupt(path: path, reason: "public_key does not match the seed")
        }
        return keyPair
    }
}

/// Why a key file could not be read or written. Each message says what to do.
public enum KeyFileError: Error, Equatable, Sendable, CustomStringConvertible {
    case missing(path: String)
    case alreadyExists(path: String)
    /// `mode` holds the permission bits found (for example 0o644).
    case insecurePermissions(path: String, mode: UInt32)
    case corrupt(path: String, reason: String)
    /// A system call failed: `operation` names it, `code` is its errno.
    case io(path: String, operation: String, code: Int32)

    public var description: String {
        switch self {
        case .missing(let path):
            "no key file at \(path): check the path, or create a new key file (a new key is a new identity)"
        case .alreadyExists(let path):
            "\(path) already exists: refusing to overwrite a key; move the old file away first, or ask to overwrite it"
        case .insecurePermissions(let path, let mode):
            "key file \(path) has mode 0\(String(mode, radix: 8)), so group or others can access it: "
                + "run `chmod 600 \(path)`, and treat the key as exposed if others could read it"
        case .corrupt(let path, let reason):
            "key file \(path) is corrupt (\(reason)): restore it from a backup"
        case .io(let path, let operation, let code):
            "could not \(operation) \(path): \(String(cString: strerror(code)))"
        }
    }
}
