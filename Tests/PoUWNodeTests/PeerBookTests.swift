import Foundation
import PoUWCore
import PoUWCrypto
import PoUWNet
import PoUWNode
import Testing

@Suite struct PeerBookTests {
    static let chainId = "book-test"
    let local = KeyPair(seed: [UInt8](repeating: 1, count: 32))

    func signed(_ key: KeyPair, sequence: UInt64, port: Int = 9000) -> (PeerRecord, SignedEnvelope) {
        let record = PeerRecord(nodeKey: key.publicKey, addresses: ["127.0.0.1:\(port)"], sequence: sequence,
                                unixMilliseconds: sequence)
        return (record, record.signed(chainId: Self.chainId, by: key))
    }

    func temporaryPath() throws -> (directory: String, file: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pouw-book-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (directory, directory + "/peers.bin")
    }

    @Test("a newer record replaces an older one; older, equal and our own are refused")
    func sequences() {
        var book = PeerBook(path: nil, chainId: Self.chainId, localKey: local.publicKey)
        let peer = KeyPair(seed: [UInt8](repeating: 2, count: 32))
        let inserted = [
            book.insert(signed(peer, sequence: 5).0, signed(peer, sequence: 5).1),
            book.insert(signed(peer, sequence: 5, port: 1).0, signed(peer, sequence: 5, port: 1).1),
            book.insert(signed(peer, sequence: 4).0, signed(peer, sequence: 4).1),
            book.insert(signed(peer, sequence: 6, port: 2).0, signed(peer, sequence: 6, port: 2).1),
            book.insert(signed(local, sequence: 9).0, signed(local, sequence: 9).1),
        ]
        #expect(inserted == [true, false, false, true, false])
        #expect(book.envelopes(excluding: nil) == [signed(peer, sequence: 6, port: 2).1])
        #expect(book.count == 1)
    }

    @Test("the book holds at most recordsMax nodes")
    func bounded() {
        var book = PeerBook(path: nil, chainId: Self.chainId, localKey: local.publicKey)
        for index in 0..<(PeerBook.recordsMax + 5) {
            let key = KeyPair(seed: [UInt8](repeating: UInt8(index + 10), count: 32))
            book.insert(signed(key, sequence: 1).0, signed(key, sequence: 1).1)
        }
        #expect(book.count == PeerBook.recordsMax)
    }

    @Test("saved records load again, and a tampered record in the file is dropped")
    func saveLoadTamper() throws {
        let (directory, path) = try temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var book = PeerBook(path: path, chainId: Self.chainId, localKey: local.publicKey)
        let first = KeyPair(seed: [UInt8](repeating: 3, count: 32))
        let second = KeyPair(seed: [UInt8](repeating: 4, count: 32))
        book.insert(signed(first, sequence: 7).0, signed(first, sequence: 7).1)
        book.insert(signed(second, sequence: 8).0, signed(second, sequence: 8).1)
        book.save()
        var reloaded = PeerBook(path: path, chainId: Self.chainId, localKey: local.publicKey)
        let loaded = reloaded.load()
        #expect(Set(loaded.map(\.0.nodeKey)) == [first.publicKey, second.publicKey])

        var tampered = signed(second, sequence: 8).1
        tampered.payload[tampered.payload.count - 1] ^= 1
        let file = PeerExchangeMessage(records: [signed(first, sequence: 7).1, tampered]).encoded
        try Data(file).write(to: URL(fileURLWithPath: path))
        var fromTampered = PeerBook(path: path, chainId: Self.chainId, localKey: local.publicKey)
        let survivors = fromTampered.load()
        #expect(survivors.map(\.0.nodeKey) == [first.publicKey])
        var otherChain = PeerBook(path: path, chainId: "other-chain", localKey: local.publicKey)
        let foreign = otherChain.load()
        #expect(foreign.isEmpty)
    }
}
