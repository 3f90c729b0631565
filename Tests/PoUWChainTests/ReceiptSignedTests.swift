import PoUWChain
import PoUWCore
import PoUWCrypto
import PoUWWire
import Testing

@Suite struct SignedReceiptTests {
    static func flipped(_ signature: Signature) -> Signature {
        var bytes = signature.bytes
        bytes[0] ^= 1
        return Signature(bytes)
    }

    @Test("a signed receipt round-trips, re-encodes to the same bytes and verifies")
    func wireRoundTripAndVerify() throws {
        let signed = ReceiptFixture.signed()
        let bytes = Wire.encode(signed)
        #expect(bytes.count == Wire.encode(signed.receipt).count + 128)
        let decoded = try Wire.decode(SignedReceipt.self, from: bytes)
        #expect(decoded == signed)
        #expect(Wire.encode(decoded) == bytes)
        #expect(decoded.id == signed.receipt.id)
        try decoded.verify(chainId: "pouw-test")
    }

    @Test("the host signs the body and the gateway signs body then host signature, both as receipts")
    func signaturesCoverTheDocumentedBytes() throws {
        let signed = ReceiptFixture.signed()
        let body = signed.receipt.signingPayload
        try Ed25519.verify(
            signed.hostSignature, payload: body, kind: .receipt, chainId: "pouw-test",
            publicKey: ReceiptFixture.host.publicKey
        )
        try Ed25519.verify(
            signed.gatewaySignature, payload: body + signed.hostSignature.bytes, kind: .receipt,
            chainId: "pouw-test", publicKey: ReceiptFixture.gateway.publicKey
        )
    }

    @Test("countersigning checks the host signature first and then equals signing both at once")
    func countersign() throws {
        let receipt = ReceiptFixture.receipt()
        let hostSignature = SignedReceipt.hostSignature(for: receipt, with: ReceiptFixture.host)
        let signed = try SignedReceipt.countersign(receipt, hostSignature: hostSignature, with: ReceiptFixture.gateway)
        #expect(signed == ReceiptFixture.signed(receipt))
        #expect(throws: ReceiptError.badHostSignature(receipt: receipt.id)) {
            try SignedReceipt.countersign(
                receipt, hostSignature: Self.flipped(hostSignature), with: ReceiptFixture.gateway
            )
        }
    }

    @Test("a forged or tampered host signature is rejected as the host's")
    func forgedHostSignatureIsRejected() {
        let signed = ReceiptFixture.signed()
        var flipped = signed
        flipped.hostSignature = Self.flipped(signed.hostSignature)
        var otherKey = signed
        otherKey.hostSignature = SignedReceipt.hostSignature(
            for: {
                var receipt = signed.receipt
                receipt.host = ReceiptFixture.customer.publicKey
                return receipt
            }(), with: ReceiptFixture.customer
        )
        var tamperedPrice = signed
        tamperedPrice.receipt.pricePerToken += 1
        var tamperedOutput = signed
        tamperedOutput.receipt.outputHash = ReceiptFixture.filled(0x99)
        for forged in [flipped, otherKey, tamperedPrice, tamperedOutput] {
            #expect(throws: ReceiptError.badHostSignature(receipt: forged.id)) {
                try forged.verify(chainId: "pouw-test")
            }
        }
    }

    @Test("a forged gateway signature, or one over another host signature, is rejected as the gateway's")
    func forgedGatewaySignatureIsRejected() {
        let signed = ReceiptFixture.signed()
        var flipped = signed
        flipped.gatewaySignature = Self.flipped(signed.gatewaySignature)
        var bodyOnly = signed
        bodyOnly.gatewaySignature = ReceiptFixture.gateway.sign(
            payload: signed.receipt.signingPayload, kind: .receipt, chainId: "pouw-test"
        )
        var hostAsGateway = signed
        hostAsGateway.gatewaySignature = signed.hostSignature
        var wrongKind = signed
        wrongKind.gatewaySignature = ReceiptFixture.gateway.sign(
            payload: signed.receipt.signingPayload + signed.hostSignature.bytes, kind: .verdict, chainId: "pouw-test"
        )
        for forged in [flipped, bodyOnly, hostAsGateway, wrongKind] {
            #expect(throws: ReceiptError.badGatewaySignature(receipt: forged.id)) {
                try forged.verify(chainId: "pouw-test")
            }
        }
    }

    @Test("a receipt for another chain is rejected, and relabelling its chain id breaks the host signature")
    func wrongChainIdIsRejected() {
        let signed = ReceiptFixture.signed(ReceiptFixture.receipt(chainId: "chain-a"))
        #expect(throws: ReceiptError.wrongChainId(expected: "chain-b", actual: "chain-a")) {
            try signed.verify(chainId: "chain-b")
        }
        var relabelled = signed
        relabelled.receipt.chainId = "chain-b"
        #expect(throws: ReceiptError.badHostSignature(receipt: relabelled.id)) {
            try relabelled.verify(chainId: "chain-b")
        }
    }

    @Test("verification refuses an ill-formed receipt before checking signatures")
    func illFormedReceiptIsRefused() {
        var signed = ReceiptFixture.signed()
        signed.receipt.logprobK = UInt32(ReceiptLimits.topLogprobsMax) + 1
        #expect(throws: ReceiptError.invalidReceipt(reason: signed.receipt.violation ?? "")) {
            try signed.verify(chainId: "pouw-test")
        }
    }
}
