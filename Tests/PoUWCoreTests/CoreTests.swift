import PoUWCore
import Testing

@Suite struct HexTests {
    @Test("encode then decode returns the bytes, for every byte value")
    func roundTripsEveryByte() {
        let bytes = (0...255).map { UInt8($0) }
        let text = Hex.encode(bytes)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(Hex.decode(text) == bytes)
        #expect(Hex.decode(text.uppercased()) == bytes)
    }

    @Test("odd length and non-hex characters decode to nil")
    func rejectsMalformedText() {
        for bad in ["0", "abc", "zz", "0g", " 00", "00 ", "é0"] { #expect(Hex.decode(bad) == nil, "\(bad)") }
        #expect(Hex.decode("") == [])
    }
}

@Suite struct FixedBytesTests {
    @Test("fixed-size byte strings order lexicographically and print as hex")
    func orderingAndDescription() {
        let a = Hash32([UInt8](repeating: 0, count: 31) + [1])
        let b = Hash32([1] + [UInt8](repeating: 0, count: 31))
        #expect(a < b && Hash32.zero < a)
        #expect(b.description == "01" + String(repeating: "0", count: 62))
        #expect(PublicKey([UInt8](repeating: 0xab, count: 32)).description == String(repeating: "ab", count: 32))
        #expect(Signature([UInt8](repeating: 1, count: 64)).bytes.count == 64)
    }

    @Test("a wrong-length hash is a programmer error")
    func wrongLengthTraps() async {
        await #expect(processExitsWith: .failure) { _ = Hash32([1, 2, 3]) }
    }
}

@Suite struct LimitsTests {
    @Test("the limits are consistent with one another")
    func limitsHold() {
        Limits.check()
        #expect(Limits.envelopePayloadBytesMax < Limits.frameBytesMax)
    }
}

@Suite struct SeededGeneratorTests {
    @Test("the same seed gives the same sequence; another seed another")
    func seededSequencesReplay() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)
        let sa = (0..<100).map { _ in a.next() }
        #expect(sa == (0..<100).map { _ in b.next() })
        #expect(sa != (0..<100).map { _ in c.next() })
        #expect(Set(sa).count == 100)
    }

    @Test("SplitMix64 from seed 0 gives its published first output")
    func splitMixKnownAnswer() {
        var g = SeededGenerator(seed: 0)
        #expect(g.next() == 0xE220_A839_7B1D_CDAF)
    }
}
