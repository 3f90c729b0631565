import PoUWChain
import PoUWCore
import PoUWCrypto
import PoUWWire
import Testing

@Suite struct SignedTransactionTests {
    static let alice = Genesis.devnetKeyPair(index: 0)
    static let bob = Genesis.devnetKeyPair(index: 1)

    static let bodies: [TransactionBody] = [
        .transfer(to: bob.publicKey, amount: 12_345),
        .bond(amount: 7),
        .unbond(amount: UInt64.max),
        .registerHost(HostInfo(models: ["smollm2-135m", "x"], apiEndpoint: "https://h:8080/v1", hardwareClass: "cpu")),
        .sprintCommit(epoch: 3, root: Hash32([UInt8](repeating: 9, count: 32)), count: 1000),
        .sprintVerdict(epoch: 3, participant: bob.publicKey, passed: true),
        .sprintVerdict(epoch: 0, participant: alice.publicKey, passed: false),
    ]

    static func signed(_ body: TransactionBody, chainId: String = "pouw-test", nonce: UInt64 = 5) -> SignedTransaction {
        let transaction = Transaction(chainId: chainId, sender: alice.publicKey, nonce: nonce, fee: 3, body: body)
        return SignedTransaction.sign(transaction, with: alice)
    }

    @Test("every transaction body round-trips through the wire encoding and re-encodes to the same bytes")
    func wireRoundTrip() throws {
        for body in Self.bodies {
            let signed = Self.signed(body)
            let bytes = Wire.encode(signed)
            let decoded = try Wire.decode(SignedTransaction.self, from: bytes)
            #expect(decoded == signed)
            #expect(Wire.encode(decoded) == bytes)
            #expect(bytes.count == signed.encodedByteCount)
            try decoded.verifySignature()
        }
    }

    @Test("the id is the BLAKE2b-256 of the message bytes and differs between transactions")
    func idsAreContentHashes() {
        let ids = Self.bodies.map { Self.signed($0).id }
        #expect(Set(ids).count == ids.count)
        let one = Self.signed(Self.bodies[0])
        #expect(one.id == Blake2b256.hash(Wire.encode(one)))
    }

    @Test("a tampered field or signature fails verification")
    func forgeryIsRejected() throws {
        let signed = Self.signed(.transfer(to: Self.bob.publicKey, amount: 10))
        var tamperedAmount = signed
        tamperedAmount.transaction.body = .transfer(to: Self.bob.publicKey, amount: 11)
        var tamperedNonce = signed
        tamperedNonce.transaction.nonce += 1
        var otherSender = signed
        otherSender.transaction.sender = Self.bob.publicKey
        var badSignature = signed
        var bytes = signed.signature.bytes
        bytes[0] ^= 1
        badSignature.signature = Signature(bytes)
        for forged in [tamperedAmount, tamperedNonce, otherSender, badSignature] {
            #expect(throws: ChainError.badSignature(transaction: forged.id)) { try forged.verifySignature() }
        }
    }

    @Test("a signature made for another chain id does not verify")
    func wrongChainIdFailsVerification() {
        var signed = Self.signed(.bond(amount: 1), chainId: "chain-a")
        signed.transaction.chainId = "chain-b"
        #expect(throws: ChainError.self) { try signed.verifySignature() }
    }

    @Test("decoding refuses an ill-formed chain id, an unknown body tag and trailing bytes")
    func malformedInputIsRefused() {
        var upper = Self.signed(.bond(amount: 1))
        upper.transaction.chainId = "Chain-A"
        #expect(throws: WireError.self) { try Wire.decode(SignedTransaction.self, from: Wire.encode(upper)) }
        var bytes = Wire.encode(Self.signed(.bond(amount: 1)))
        let tagOffset = 1 + 1 + "pouw-test".utf8.count + 32 + 8 + 8
        bytes[tagOffset] = 99
        #expect(throws: WireError.invalidEnum(type: "Tag", raw: 99)) {
            try Wire.decode(SignedTransaction.self, from: bytes)
        }
        #expect(throws: WireError.trailingBytes(count: 1)) {
            try Wire.decode(SignedTransaction.self, from: Wire.encode(Self.signed(.bond(amount: 1))) + [0])
        }
    }

    @Test("host registrations outside the bounds are reported")
    func hostInfoBounds() {
        #expect(HostInfo(models: ["m"], apiEndpoint: "e", hardwareClass: "").violation == nil)
        #expect(HostInfo(models: [], apiEndpoint: "e", hardwareClass: "").violation != nil)
        #expect(HostInfo(models: [""], apiEndpoint: "e", hardwareClass: "").violation != nil)
        #expect(HostInfo(models: ["m"], apiEndpoint: "", hardwareClass: "").violation != nil)
        let many = Array(repeating: "m", count: ChainLimits.hostModelsMax + 1)
        #expect(HostInfo(models: many, apiEndpoint: "e", hardwareClass: "").violation != nil)
        let long = String(repeating: "h", count: ChainLimits.hardwareClassBytesMax + 1)
        #expect(HostInfo(models: ["m"], apiEndpoint: "e", hardwareClass: long).violation != nil)
    }

    @Test("the largest transaction the encoder allows fits in transactionBytesMax")
    func largestTransactionFits() {
        let longName = String(repeating: "m", count: ChainLimits.modelNameBytesMax)
        let info = HostInfo(
            models: Array(repeating: longName, count: ChainLimits.hostModelsMax),
            apiEndpoint: String(repeating: "e", count: ChainLimits.apiEndpointBytesMax),
            hardwareClass: String(repeating: "h", count: ChainLimits.hardwareClassBytesMax)
        )
        let chainId = String(repeating: "c", count: ChainLimits.chainIdBytesMax)
        let signed = Self.signed(.registerHost(info), chainId: chainId, nonce: .max)
        #expect(signed.encodedByteCount <= ChainLimits.transactionBytesMax)
        ChainLimits.check()
    }
}
