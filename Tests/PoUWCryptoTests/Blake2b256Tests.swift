import PoUWCore
import PoUWCrypto
import Testing

@Suite("Blake2b256")
struct Blake2b256Tests {
    // Known answers from Python: hashlib.blake2b(data, digest_size=32).hexdigest().
    @Test("known answers for the empty input and \"abc\"")
    func knownAnswers() {
        #expect(Blake2b256.hash([UInt8]()).description
            == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8")
        #expect(Blake2b256.hash(Array("abc".utf8)).description
            == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
    }

    @Test("the incremental hasher equals the one-shot hash at every split point")
    func incremental() {
        let message = seededBytes(count: 300, seed: 3)
        let expected = Blake2b256.hash(message)
        for split in stride(from: 0, through: message.count, by: 13) {
            var hasher = Blake2b256.Hasher()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    @Test("byte-at-a-time and non-contiguous inputs give the same digest as an array")
    func inputShapes() {
        let message = seededBytes(count: 200, seed: 4)
        var hasher = Blake2b256.Hasher()
        for byte in message { hasher.update(CollectionOfOne(byte)) }
        #expect(hasher.finalize() == Blake2b256.hash(message))
        #expect(Blake2b256.hash(message.lazy.map { $0 }) == Blake2b256.hash(message))
    }

    @Test("different inputs give different digests, and BLAKE2b-256 differs from SHA-256")
    func distinct() {
        #expect(Blake2b256.hash([0]) != Blake2b256.hash([1]))
        #expect(Blake2b256.hash([0]) != Blake2b256.hash([0, 0]))
        #expect(Blake2b256.hash(Array("abc".utf8)) != SHA256.hash(Array("abc".utf8)))
    }
}
