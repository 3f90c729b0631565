import PoUWCore
import PoUWWire
import Testing

/// Seeded fuzzing of `Wire.decode` for every protocol type: no input may trap, and every accepted
/// input must be the canonical encoding of what it decoded to.
@Suite struct WireFuzzTests {
    static let seed: UInt64 = 0x0DDC_0FFE_E5EE_D001
    static let randomCaseCount = 40_000
    static let truncationCaseCount = 30_000
    static let mutationCaseCount = 40_000
    static let randomInputBytesMax = 300
    static let seedText = "0x" + String(seed, radix: 16)

    @Test("110,000 random, truncated and mutated inputs decode canonically or throw, as every type")
    func fuzzEveryType() {
        var fuzzer = Fuzzer(seed: Self.seed)
        let corpus = fuzzer.corpus(valuesPerType: 300)
        var report = FuzzReport(seed: Self.seed)

        for index in 0..<Self.randomCaseCount {
            let input = fuzzer.randomInput(bytesMax: Self.randomInputBytesMax)
            report.check(input, phase: "random", index: index)
        }
        for index in 0..<Self.truncationCaseCount {
            let entry = corpus[Int.random(in: 0..<corpus.count, using: &fuzzer.generator)]
            let cut = Array(entry.bytes.prefix(Int.random(in: 0..<entry.bytes.count, using: &fuzzer.generator)))
            report.check(cut, phase: "truncation", index: index, mustReject: entry.codec)
        }
        for index in 0..<Self.mutationCaseCount {
            let entry = corpus[Int.random(in: 0..<corpus.count, using: &fuzzer.generator)]
            report.check(fuzzer.mutate(entry.bytes), phase: "mutation", index: index)
        }

        #expect(report.caseCount == 110_000)
        // Guards against a vacuous run: some mutations (inside hashes, integers) must still decode.
        #expect(report.acceptedCount > 1_000, "seed \(Self.seedText): only \(report.acceptedCount) accepted")
    }

    @Test("every corpus value round-trips to itself")
    func corpusRoundTrips() {
        var fuzzer = Fuzzer(seed: Self.seed)
        for entry in fuzzer.corpus(valuesPerType: 300) {
            #expect(entry.codec.reencode(entry.bytes) == entry.bytes, "seed \(Self.seedText)")
        }
    }

    @Test("20,000 random byte strings read as varints either throw or re-encode to what was consumed")
    func varintFuzz() {
        var generator = SeededGenerator(seed: Self.seed)
        for index in 0..<20_000 {
            let count = Int.random(in: 0...12, using: &generator)
            var input = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Bias towards long continuation runs, where overflow and non-minimal forms live.
            if index % 2 == 0 { input = input.map { $0 | 0x80 } + [UInt8.random(in: 0...3, using: &generator)] }
            let result = withDecoder(input) { (d) throws(WireError) in (try d.readVarint(), d.offset) }
            if case let .success((value, consumed)) = result {
                let canonical = encoded { $0.writeVarint(value) }
                #expect(canonical == Array(input.prefix(consumed)), "seed \(Self.seedText) case \(index)")
            }
        }
    }
}

/// Decodes as one type and re-encodes; `nil` when decoding throws.
struct Codec {
    let name: String
    let reencode: ([UInt8]) -> [UInt8]?

    static func of<T: WireCodable>(_ type: T.Type) -> Codec {
        Codec(name: String(describing: type)) { bytes in
            guard let value = try? Wire.decode(type, from: bytes) else { return nil }
            return Wire.encode(value)
        }
    }

    static var all: [Codec] {
        [
            .of(Hash32.self), .of(PublicKey.self), .of(Signature.self), .of(MessageKind.self),
            .of(MerkleProof.self), .of(SignedEnvelope.self), .of(PeerRecord.self),
        ]
    }
}

/// Counts cases and records the first failures with everything needed to replay them.
struct FuzzReport {
    static let failuresRecordedMax = 20
    let seed: UInt64
    let codecs = Codec.all
    var caseCount = 0
    var acceptedCount = 0
    var failureCount = 0

    init(seed: UInt64) { self.seed = seed }

    /// Decodes `input` as every type; `mustReject` names a type whose decoder has to throw.
    mutating func check(_ input: [UInt8], phase: String, index: Int, mustReject: Codec? = nil) {
        caseCount += 1
        for codec in codecs {
            guard let reencoded = codec.reencode(input) else { continue }
            acceptedCount += 1
            if reencoded != input {
                fail("accepted a non-canonical input as \(codec.name)", input, phase, index)
            } else if codec.name == mustReject?.name {
                fail("accepted a strict prefix of a valid \(codec.name)", input, phase, index)
            }
        }
    }

    private mutating func fail(_ what: String, _ input: [UInt8], _ phase: String, _ index: Int) {
        failureCount += 1
        guard failureCount <= Self.failuresRecordedMax else { return }
        Issue.record("fuzz seed 0x\(String(seed, radix: 16)) \(phase) case \(index): \(what): \(Hex.encode(input))")
    }
}

/// Seeded generation of valid values and of hostile inputs derived from them.
struct Fuzzer {
    struct Entry {
        let codec: Codec
        let bytes: [UInt8]
    }

    var generator: SeededGenerator

    init(seed: UInt64) { generator = SeededGenerator(seed: seed) }

    /// `valuesPerType` random valid values of every protocol type, encoded.
    mutating func corpus(valuesPerType: Int) -> [Entry] {
        var entries: [Entry] = []
        for _ in 0..<valuesPerType {
            entries.append(Entry(codec: .of(Hash32.self), bytes: Wire.encode(Hash32(bytes(32)))))
            entries.append(Entry(codec: .of(PublicKey.self), bytes: Wire.encode(PublicKey(bytes(32)))))
            entries.append(Entry(codec: .of(Signature.self), bytes: Wire.encode(Signature(bytes(64)))))
            entries.append(Entry(codec: .of(MessageKind.self), bytes: Wire.encode(kind())))
            entries.append(Entry(codec: .of(MerkleProof.self), bytes: Wire.encode(merkleProof())))
            entries.append(Entry(codec: .of(SignedEnvelope.self), bytes: Wire.encode(envelope())))
            entries.append(Entry(codec: .of(PeerRecord.self), bytes: Wire.encode(peerRecord())))
        }
        return entries
    }

    /// Random bytes of random length; most start with the right version byte so decoding gets past it.
    mutating func randomInput(bytesMax: Int) -> [UInt8] {
        var input = bytes(Int.random(in: 0...bytesMax, using: &generator))
        if !input.isEmpty && Int.random(in: 0..<8, using: &generator) != 0 { input[0] = Version.wire }
        return input
    }

    /// One to three edits: bit flips, byte overwrites, insertions, deletions, or a length-like
    /// varint spliced over a random position.
    mutating func mutate(_ original: [UInt8]) -> [UInt8] {
        var bytes = original
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            let position = Int.random(in: 0...bytes.count, using: &generator)
            let inRange = position < bytes.count
            switch Int.random(in: 0..<5, using: &generator) {
            case 0 where inRange: bytes[position] ^= 1 << UInt8.random(in: 0...7, using: &generator)
            case 1 where inRange: bytes[position] = UInt8.random(in: 0...255, using: &generator)
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: position)
            case 3 where inRange: bytes.remove(at: position)
            default:
                let varint = Self.lengthTamperings.randomElement(using: &generator) ?? []
                let end = min(bytes.count, position + Int.random(in: 0...2, using: &generator))
                bytes.replaceSubrange(position..<end, with: varint)
            }
        }
        return bytes
    }

    /// Varints that stress length handling: boundaries, huge claims, non-minimal and overflowing forms.
    static let lengthTamperings: [[UInt8]] = [
        [0x00], [0x01], [0x08], [0x09], [0x40], [0x41], [0x7f], [0x80, 0x01], [0x80, 0x02], [0x81, 0x02],
        [0x80, 0x00], [0xff, 0x00], [0x80, 0x80, 0x80, 0x80, 0x80, 0x20], [0x80, 0x80, 0x80, 0x02],
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02],
    ]

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    mutating func kind() -> MessageKind { MessageKind.allCases.randomElement(using: &generator) ?? .vote }

    /// Text mixing 1- to 4-byte UTF-8 scalars, at most `bytesMax` bytes long.
    mutating func text(bytesMax: Int) -> String {
        let pieces = ["a", "Z", "0", ":", ".", "-", "é", "ß", "✓", "€", "🙂", "\u{0}"]
        let target = Int.random(in: 0...bytesMax, using: &generator)
        var text = ""
        while let piece = pieces.randomElement(using: &generator), text.utf8.count + piece.utf8.count <= target {
            text += piece
        }
        return text
    }

    mutating func merkleProof() -> MerkleProof {
        let leafCount: UInt64 =
            switch Int.random(in: 0..<8, using: &generator) {
            case 0: 0
            case 1: generator.next() | 1
            default: UInt64.random(in: 1...1_000, using: &generator)
            }
        let height = leafCount <= 1 ? 0 : UInt64.bitWidth - (leafCount - 1).leadingZeroBitCount
        let siblingCount = Int.random(in: 0...min(height, 6), using: &generator)
        return MerkleProof(
            leafIndex: leafCount == 0 ? 0 : UInt64.random(in: 0..<leafCount, using: &generator),
            leafCount: leafCount,
            siblings: (0..<siblingCount).map { _ in Hash32(bytes(32)) }
        )
    }

    mutating func envelope() -> SignedEnvelope {
        SignedEnvelope(
            chainId: text(bytesMax: Limits.chainIdBytesMax),
            kind: kind(),
            payload: bytes(Int.random(in: 0...120, using: &generator)),
            signer: PublicKey(bytes(32)),
            signature: Signature(bytes(64))
        )
    }

    mutating func peerRecord() -> PeerRecord {
        let addressCount = Int.random(in: 0...Limits.peerAddressesMax, using: &generator)
        return PeerRecord(
            nodeKey: PublicKey(bytes(32)),
            addresses: (0..<addressCount).map { _ in text(bytesMax: 24) },
            sequence: generator.next() >> UInt64.random(in: 0...63, using: &generator),
            unixMilliseconds: generator.next()
        )
    }
}
