import PoUWCore
import PoUWCrypto
import Testing

@Suite("SHA256")
struct SHA256Tests {
    // FIPS 180-2, Appendix B.
    @Test("FIPS 180-2 known answers: \"abc\" and the 448-bit message")
    func knownAnswers() {
        #expect(SHA256.hash(Array("abc".utf8)).description
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).description
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("FIPS 180-2 known answer for one million \"a\", fed incrementally in uneven pieces")
    func millionA() {
        var hasher = SHA256.Hasher()
        var remaining = 1_000_000
        var piece = 1
        while remaining > 0 {
            let count = min(piece, remaining)
            hasher.update(repeatElement(UInt8(ascii: "a"), count: count))
            remaining -= count
            piece = piece % 997 + 7
        }
        #expect(hasher.finalize().description == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("the known answer for the empty input")
    func empty() {
        #expect(SHA256.hash([UInt8]()).description
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.Hasher().finalize() == SHA256.hash([UInt8]()))
    }

    @Test("the incremental hasher equals the one-shot hash at every split point")
    func incremental() {
        let message = seededBytes(count: 200, seed: 5)
        let expected = SHA256.hash(message)
        for split in stride(from: 0, through: message.count, by: 11) {
            var hasher = SHA256.Hasher()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }
}
