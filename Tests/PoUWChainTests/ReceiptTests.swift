import PoUWChain
import PoUWCore
import PoUWCrypto
import PoUWWire
import Testing

@Suite struct InferenceReceiptTests {
    /// The golden receipt: every fixed-size field a repeated byte so the layout is readable.
    static let golden = InferenceReceipt(
        chainId: "pouw-test", requestId: InferenceRequestId([UInt8](repeating: 0x0f, count: 16)),
        customer: PublicKey([UInt8](repeating: 0x11, count: 32)), host: PublicKey([UInt8](repeating: 0x22, count: 32)),
        gateway: PublicKey([UInt8](repeating: 0x33, count: 32)), model: "m1",
        promptHash: ReceiptFixture.filled(0x44), outputHash: ReceiptFixture.filled(0x55),
        promptTokens: 3, completionTokens: 2,
        sampling: ReceiptSampling(temperatureMilli: 700, topPMilli: 950, topK: 40, seed: 258, maxTokens: 16),
        logprobRoot: ReceiptFixture.filled(0x66), logprobK: 2, pricePerToken: 5, epoch: 7,
        servedAtMilliseconds: 1_700_000_000_000
    )

    /// Offset of the model name's length byte in the golden message: version, chain id, request id, 3 keys.
    static let modelOffset = 1 + 10 + 16 + 96

    @Test("the golden receipt encodes to the hand-written layout of docs/receipts.md")
    func goldenBytes() throws {
        var expected: [UInt8] = [0x01]                                          // version
        expected += [0x09] + Array("pouw-test".utf8)                            // chainId
        expected += [UInt8](repeating: 0x0f, count: 16)                         // requestId
        expected += [UInt8](repeating: 0x11, count: 32)                         // customer
        expected += [UInt8](repeating: 0x22, count: 32)                         // host
        expected += [UInt8](repeating: 0x33, count: 32)                         // gateway
        expected += [0x02, 0x6d, 0x31]                                          // model "m1"
        expected += [UInt8](repeating: 0x44, count: 32)                         // promptHash
        expected += [UInt8](repeating: 0x55, count: 32)                         // outputHash
        expected += [0x03, 0x00, 0x00, 0x00]                                    // promptTokens 3
        expected += [0x02, 0x00, 0x00, 0x00]                                    // completionTokens 2
        expected += [0xbc, 0x02, 0x00, 0x00]                                    // temperatureMilli 700
        expected += [0xb6, 0x03, 0x00, 0x00]                                    // topPMilli 950
        expected += [0x28, 0x00, 0x00, 0x00]                                    // topK 40
        expected += [0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]            // seed 258
        expected += [0x10, 0x00, 0x00, 0x00]                                    // maxTokens 16
        expected += [UInt8](repeating: 0x66, count: 32)                         // logprobRoot
        expected += [0x02, 0x00, 0x00, 0x00]                                    // logprobK 2
        expected += [0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]            // pricePerToken 5
        expected += [0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]            // epoch 7
        expected += [0x00, 0x68, 0xe5, 0xcf, 0x8b, 0x01, 0x00, 0x00]            // servedAt 1700000000000
        #expect(expected.count == 282)
        #expect(Wire.encode(Self.golden) == expected)
        #expect(Self.golden.signingPayload == Array(expected.dropFirst()))
        #expect(Self.golden.id == Blake2b256.hash(expected))
        #expect(try Wire.decode(InferenceReceipt.self, from: expected) == Self.golden)
    }

    @Test("a receipt round-trips through the wire encoding and re-encodes to the same bytes")
    func wireRoundTrip() throws {
        for receipt in [Self.golden, ReceiptFixture.receipt(), ReceiptFixture.receipt(price: .max)] {
            let bytes = Wire.encode(receipt)
            let decoded = try Wire.decode(InferenceReceipt.self, from: bytes)
            #expect(decoded == receipt)
            #expect(Wire.encode(decoded) == bytes)
        }
    }

    @Test("changing any field changes the receipt id")
    func everyFieldChangesTheId() {
        let base = Self.golden
        let changes: [(inout InferenceReceipt) -> Void] = [
            { $0.chainId = "pouw-tesu" },
            { $0.requestId = InferenceRequestId([UInt8](repeating: 0x0e, count: 16)) },
            { $0.customer = PublicKey([UInt8](repeating: 0x12, count: 32)) },
            { $0.host = PublicKey([UInt8](repeating: 0x23, count: 32)) },
            { $0.gateway = PublicKey([UInt8](repeating: 0x34, count: 32)) },
            { $0.model = "m2" },
            { $0.promptHash = ReceiptFixture.filled(0x45) },
            { $0.outputHash = ReceiptFixture.filled(0x56) },
            { $0.promptTokens += 1 },
            { $0.completionTokens += 1 },
            { $0.sampling.temperatureMilli += 1 },
            { $0.sampling.topPMilli += 1 },
            { $0.sampling.topK += 1 },
            { $0.sampling.seed += 1 },
            { $0.sampling.maxTokens += 1 },
            { $0.logprobRoot = ReceiptFixture.filled(0x67) },
            { $0.logprobK += 1 },
            { $0.pricePerToken += 1 },
            { $0.epoch += 1 },
            { $0.servedAtMilliseconds += 1 },
        ]
        var ids: Set<Hash32> = [base.id]
        for change in changes {
            var changed = base
            change(&changed)
            #expect(changed.violation == nil)
            ids.insert(changed.id)
        }
        #expect(ids.count == changes.count + 1)
    }

    @Test("the decoder refuses a model name above modelNameBytesMax")
    func longModelNameIsRefused() {
        let bytes = Wire.encode(Self.golden)
        let max = ReceiptLimits.modelNameBytesMax
        let long = Array(bytes[..<Self.modelOffset]) + [0x81, 0x01] + [UInt8](repeating: 0x6d, count: max + 1)
            + Array(bytes[(Self.modelOffset + 3)...])
        #expect(throws: WireError.lengthExceeded(field: "InferenceReceipt.model", max: max, actual: UInt64(max + 1))) {
            try Wire.decode(InferenceReceipt.self, from: long)
        }
        let empty = Array(bytes[..<Self.modelOffset]) + [0x00] + Array(bytes[(Self.modelOffset + 3)...])
        #expect(throws: WireError.self) { try Wire.decode(InferenceReceipt.self, from: empty) }
    }

    @Test("the decoder refuses k, temperature, top-p, top-k and maxTokens outside ReceiptLimits")
    func outOfBoundFieldsAreRefused() {
        let bytes = Wire.encode(Self.golden)
        let kOffset = bytes.count - 28
        let samplingOffset = bytes.count - 24 - 4 - 32 - 24
        let patches: [(offset: Int, value: UInt32)] = [
            (kOffset, UInt32(ReceiptLimits.topLogprobsMax) + 1),
            (samplingOffset, ReceiptLimits.temperatureMilliMax + 1),
            (samplingOffset + 4, 0),
            (samplingOffset + 4, ReceiptLimits.topPMilliMax + 1),
            (samplingOffset + 8, ReceiptLimits.topKMax + 1),
            (samplingOffset + 20, 0),
            (samplingOffset + 20, ReceiptLimits.maxTokensMax + 1),
            (samplingOffset + 20, 1),  // below completionTokens (2)
        ]
        for patch in patches {
            var patched = bytes
            withUnsafeBytes(of: patch.value.littleEndian) {
                patched.replaceSubrange(patch.offset..<patch.offset + 4, with: $0)
            }
            let error = #expect(throws: WireError.self) { try Wire.decode(InferenceReceipt.self, from: patched) }
            guard case .invalidValue(field: "InferenceReceipt", _)? = error else {
                Issue.record("patch at \(patch.offset) to \(patch.value) gave \(String(describing: error))")
                continue
            }
        }
        var atMax = Self.golden
        atMax.logprobK = UInt32(ReceiptLimits.topLogprobsMax)
        atMax.sampling = ReceiptSampling(
            temperatureMilli: ReceiptLimits.temperatureMilliMax, topPMilli: ReceiptLimits.topPMilliMax,
            topK: ReceiptLimits.topKMax, seed: .max, maxTokens: ReceiptLimits.maxTokensMax
        )
        #expect(atMax.violation == nil)
    }

    @Test("the decoder refuses an ill-formed chain id and trailing bytes")
    func malformedChainIdIsRefused() {
        var bytes = Wire.encode(Self.golden)
        bytes[2] = UInt8(ascii: "P")
        let error = #expect(throws: WireError.self) { try Wire.decode(InferenceReceipt.self, from: bytes) }
        guard case .invalidValue(field: "InferenceReceipt", _)? = error else {
            Issue.record("an upper-case chain id gave \(String(describing: error))")
            return
        }
        #expect(throws: WireError.trailingBytes(count: 1)) {
            try Wire.decode(InferenceReceipt.self, from: Wire.encode(Self.golden) + [0])
        }
    }

    @Test("the token hash is BLAKE2b-256 of little-endian u32 ids and the charge is overflow-checked")
    func tokenHashAndCharge() throws {
        #expect(InferenceReceipt.tokenHash([1, 258]) == Blake2b256.hash([1, 0, 0, 0, 2, 1, 0, 0]))
        #expect(InferenceReceipt.tokenHash([]) == Blake2b256.hash([UInt8]()))
        #expect(try Self.golden.charge() == 25)
        var expensive = Self.golden
        expensive.pricePerToken = .max
        #expect(throws: ReceiptError.self) { try expensive.charge() }
    }
}
