/// A transaction with its sender's signature, as it travels and as blocks hold it.
public import PoUWCore
public import PoUWCrypto
public import PoUWWire

/// A transaction and the sender's Ed25519 signature over `transaction.signingPayload`, made as a
/// `MessageKind.transaction` on chain `transaction.chainId` (PoUWCrypto's domain-separated signing).
public struct SignedTransaction: Hashable, Sendable {
    public var transaction: Transaction
    public var signature: Signature

    public init(transaction: Transaction, signature: Signature) {
        self.transaction = transaction
        self.signature = signature
    }

    /// `transaction` signed with `key`.
    /// - Precondition: `key.publicKey == transaction.sender`; the chain id is valid (`ChainId`).
    public static func sign(_ transaction: Transaction, with key: KeyPair) -> SignedTransaction {
        precondition(key.publicKey == transaction.sender, "a transaction is signed by its sender's key")
        precondition(ChainId.isValid(transaction.chainId), "invalid chain id \"\(transaction.chainId)\"")
        let signature = key.sign(payload: transaction.signingPayload, kind: .transaction, chainId: transaction.chainId)
        return SignedTransaction(transaction: transaction, signature: signature)
    }

    /// The transaction id: BLAKE2b-256 of the message bytes `Wire.encode(self)` (version byte included).
    public var id: Hash32 { Blake2b256.hash(Wire.encode(self)) }

    /// The size of `Wire.encode(self)`, in bytes.
    public var encodedByteCount: Int {
        var encoder = WireEncoder(reservingCapacity: 256)
        encode(to: &encoder)
        return encoder.bytes.count + 1
    }

    /// Checks the signature against the sender's key, for the transaction's own chain id.
    /// - Throws: `.badSignature` (also for an invalid sender key, and with id zero for an invalid chain id).
    public func verifySignature() throws(ChainError) {
        // An invalid chain id cannot be encoded (nor signed), so such a transaction has no id: zero.
        guard ChainId.isValid(transaction.chainId) else { throw .badSignature(transaction: .zero) }
        do {
            try Ed25519.verify(
                signature, payload: transaction.signingPayload, kind: .transaction,
                chainId: transaction.chainId, publicKey: transaction.sender
            )
        } catch {
            throw .badSignature(transaction: id)
        }
    }
}

extension SignedTransaction: WireCodable {
    public static var encodedBytesMin: Int { Transaction.encodedBytesMin + Signature.byteCount }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(transaction)
        encoder.write(signature)
    }

    /// Reads a signed transaction; refuses an ill-formed chain id and one above
    /// `ChainLimits.transactionBytesMax` bytes.
    public init(from decoder: inout WireDecoder) throws(WireError) {
        let start = decoder.offset
        transaction = try decoder.read(Transaction.self)
        signature = try decoder.read(Signature.self)
        let byteCount = decoder.offset - start
        guard byteCount <= ChainLimits.transactionBytesMax else {
            throw .lengthExceeded(
                field: "SignedTransaction", max: ChainLimits.transactionBytesMax, actual: UInt64(byteCount)
            )
        }
        if let reason = ChainId.violation(transaction.chainId) {
            throw .invalidValue(field: "Transaction.chainId", reason: reason)
        }
    }
}
