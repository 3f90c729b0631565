import Foundation
import PoUWCore
import PoUWCrypto
import Testing

@Suite("KeyFile")
struct KeyFileTests {
    let keyPair = KeyPair(seed: seededBytes(count: 32, seed: 11))

    func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    /// Writes `text` to `path` with `mode`, as a user or a disk fault might have left it.
    func plant(_ text: String, at path: String, mode: Int = 0o600) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    func document(type: String = "ed25519", seed: String? = nil, publicKey: String? = nil) -> String {
        let seed = seed ?? Hex.encode(keyPair.seed)
        let publicKey = publicKey ?? keyPair.publicKey.description
        return "{\"type\":\"\(type)\",\"seed\":\"\(seed)\",\"public_key\":\"\(publicKey)\"}"
    }

    @Test("a written key file reads back as the same key pair")
    func roundTrip() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/node.key"
            try KeyFile.write(keyPair, to: path)
            let read = try KeyFile.read(path)
            #expect(read.seed == keyPair.seed)
            #expect(read.publicKey == keyPair.publicKey)
        }
    }

    @Test("a written key file has mode 0600, holds the documented JSON, and leaves no temporary file")
    func writtenForm() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/node.key"
            try KeyFile.write(keyPair, to: path)
            #expect(try permissions(path) == 0o600)
            let data = try #require(FileManager.default.contents(atPath: path))
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
            #expect(json == ["type": "ed25519", "seed": Hex.encode(keyPair.seed),
                             "public_key": keyPair.publicKey.description])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["node.key"])
        }
    }

    @Test("an existing file is not overwritten unless asked")
    func overwrite() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/node.key"
            try KeyFile.write(keyPair, to: path)
            let other = KeyPair(seed: seededBytes(count: 32, seed: 12))
            #expect(throws: KeyFileError.alreadyExists(path: path)) { try KeyFile.write(other, to: path) }
            #expect(try KeyFile.read(path).publicKey == keyPair.publicKey)
            try KeyFile.write(other, to: path, overwrite: true)
            #expect(try KeyFile.read(path).publicKey == other.publicKey)
            #expect(try permissions(path) == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["node.key"])
        }
    }

    @Test("a missing file is reported as missing, with its path")
    func missing() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/absent.key"
            let error = #expect(throws: KeyFileError.self) { try KeyFile.read(path) }
            #expect(error == .missing(path: path))
            #expect(error?.description.contains(path) == true)
        }
    }

    @Test("a file that group or others can access is refused, and the message says to chmod 600",
          arguments: [0o644, 0o640, 0o604, 0o620, 0o602, 0o660, 0o666, 0o700])
    func insecure(mode: Int) throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/node.key"
            try KeyFile.write(keyPair, to: path)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            if mode & 0o077 == 0 {
                #expect(try KeyFile.read(path).publicKey == keyPair.publicKey)
                return
            }
            let error = #expect(throws: KeyFileError.self) { try KeyFile.read(path) }
            #expect(error == .insecurePermissions(path: path, mode: UInt32(mode)))
            #expect(error?.description.contains("chmod 600 \(path)") == true)
        }
    }

    @Test("corrupt key files are refused as corrupt")
    func corrupt() throws {
        let variants = [
            "",
            "not json",
            "{\"type\":\"ed25519\"}",
            "[1, 2, 3]",
            document(type: "secp256k1"),
            document(seed: "zz" + String(Hex.encode(keyPair.seed).dropFirst(2))),
            document(seed: String(Hex.encode(keyPair.seed).dropFirst(2))),
            document(publicKey: String(keyPair.publicKey.description.dropLast(1))),
            document(publicKey: KeyPair(seed: seededBytes(count: 32, seed: 13)).publicKey.description),
            document() + String(repeating: " ", count: KeyFile.fileBytesMax),
        ]
        try withTemporaryDirectory { directory in
            for (index, text) in variants.enumerated() {
                let path = directory + "/corrupt-\(index).key"
                try plant(text, at: path)
                let error = #expect(throws: KeyFileError.self, "variant \(index)") { try KeyFile.read(path) }
                guard case .corrupt(let reportedPath, _) = error else {
                    Issue.record("variant \(index): \(String(describing: error))")
                    continue
                }
                #expect(reportedPath == path)
            }
        }
    }

    @Test("a public key that does not match the seed is named in the message")
    func mismatchedPublicKey() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/node.key"
            let other = KeyPair(seed: seededBytes(count: 32, seed: 14))
            try plant(document(publicKey: other.publicKey.description), at: path)
            let error = #expect(throws: KeyFileError.self) { try KeyFile.read(path) }
            #expect(error?.description.contains("does not match the seed") == true)
        }
    }

    @Test("a hand-written file in the documented form, with upper-case hex, is accepted")
    func handWritten() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/node.key"
            try plant(document(seed: Hex.encode(keyPair.seed).uppercased()), at: path)
            #expect(try KeyFile.read(path).publicKey == keyPair.publicKey)
        }
    }

    @Test("a directory at the path is refused as corrupt")
    func directoryPath() throws {
        try withTemporaryDirectory { directory in
            let error = #expect(throws: KeyFileError.self) { try KeyFile.read(directory) }
            #expect(error == .corrupt(path: directory, reason: "not a regular file"))
        }
    }
}
