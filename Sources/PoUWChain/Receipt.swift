/// The inference receipt: what a host served for one request, as the host signs it and the gateway
/// co-signs it (SignedReceipt, ReceiptSigned.swift). Plain data with one canonical wire encoding
/// (docs/receipts.md); the receipt id is the hash of that encoding.
public import PoUWCore
import PoUWCrypto
public import PoUWWire

/// One served inference request. Token sequences are committed by hash (`tokenHash(_:)`), the per-token
/// top-k logprobs by a Merkle root (`LogprobCommitment`); the payload itself stays with the host for
/// the verification window.
public struct InferenceReceipt: Hashable, Sendable {
    /// The chain this receipt settles on; a valid chain id (`ChainId`).
    public var chainId: String
    public var requestId: InferenceRequestId
    /// The paying account.
    public var customer: PublicKey
    /// The host that ran the model and signs the receipt.
    public var host: PublicKey
    /// The gateway that routed the request and co-signs the receipt.
    public var gateway: PublicKey
    /// The model served, 1 ... `ReceiptLimits.modelNameBytesMax` bytes.
    public var model: String
    /// `tokenHash` of the prompt's token ids (after the chat template).
    public var promptHash: Hash32
    /// `tokenHash` of the generated token ids.
    public var outputHash: Hash32
    public var promptTokens: UInt32
    /// Generated tokens, at most `sampling.maxTokens`; also the leaf count of `logprobRoot`.
    public var completionTokens: UInt32
    public var sampling: ReceiptSampling
    /// `LogprobCommitment.root` over the generated positions.
    public var logprobRoot: Hash32
    /// Alternatives per position in `logprobRoot`'s leaves, at most `ReceiptLimits.topLogprobsMax`.
    public var logprobK: UInt32
    /// Price per token (prompt and completion alike), in the chain's smallest unit.
    public var pricePerToken: UInt64
    /// The epoch in which the request was served.
    public var epoch: UInt64
    /// When the host finished serving, Unix milliseconds (the host's clock).
    public var servedAtMilliseconds: UInt64

    public init(
        chainId: String, requestId: InferenceRequestId, customer: PublicKey, host: PublicKey, gateway: PublicKey,
        model: String, promptHash: Hash32, outputHash: Hash32, promptTokens: UInt32, completionTokens: UInt32,
        sampling: ReceiptSampling, logprobRoot: Hash32, logprobK: UInt32, pricePerToken: UInt64, epoch: UInt64,
        servedAtMilliseconds: UInt64
    ) {
        self.chainId = chainId
        self.requestId = requestId
        self.customer = customer
        self.host = host
        self.gateway = gateway
        self.model = model
        self.promptHash = promptHash
        self.outputHash = outputHash
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.sampling = sampling
        self.logprobRoot = logprobRoot
        self.logprobK = logprobK
        self.pricePerToken = pricePerToken
        self.epoch = epoch
        self.servedAtMilliseconds = servedAtMilliseconds
    }

    /// The receipt id: BLAKE2b-256 of the message bytes `Wire.encode(self)` (version byte, then the
    /// unsigned body). Signatures are not part of it.
    public var id: Hash32 { Blake2b256.hash(Wire.encode(self)) }

    /// The bytes the host signs under `MessageKind.receipt`: the body's encoding, without version byte.
    public var signingPayload: [UInt8] {
        var encoder = WireEncoder(reservingCapacity: 320)
        encode(to: &encoder)
        return encoder.bytes
    }

    /// What the customer owes for this receipt: (promptTokens + completionTokens) × pricePerToken.
    /// - Throws: `.overflow` when the product exceeds `UInt64.max`.
    public func charge() throws(ReceiptError) -> UInt64 {
        let tokens = UInt64(promptTokens) + UInt64(completionTokens)
        let (cost, overflow) = tokens.multipliedReportingOverflow(by: pricePerToken)
        guard !overflow else { throw .overflow("receipt charge (\(tokens) tokens × \(pricePerToken))") }
        return cost
    }

    /// Why this receipt is ill-formed (chain id, model name, sampling bounds, logprob k, more completion
    /// tokens than `maxTokens`), or `nil` when it is well-formed.
    public var violation: String? {
        if let reason = ChainId.violation(chainId) { return "chainId \(reason)" }
        let modelBytes = model.utf8.count
        if modelBytes == 0 || modelBytes > ReceiptLimits.modelNameBytesMax {
            return "model name must be 1 to \(ReceiptLimits.modelNameBytesMax) bytes, got \(modelBytes)"
        }
        if let reason = sampling.violation { return reason }
        if logprobK > ReceiptLimits.topLogprobsMax {
            return "logprobK is \(logprobK), above \(ReceiptLimits.topLogprobsMax)"
        }
        if completionTokens > sampling.maxTokens {
            return "completionTokens \(completionTokens) exceed maxTokens \(sampling.maxTokens)"
        }
        return nil
    }

    /// BLAKE2b-256 of the token ids, each as a little-endian `u32`, concatenated (no length prefix).
    /// - Precondition: every id is in 0 ... `UInt32.max`.
    public static func tokenHash(_ tokens: [Int]) -> Hash32 {
        var bytes = [UInt8]()
        bytes.reserveCapacity(tokens.count * 4)
        for token in tokens { appendUInt32(token, to: &bytes) }
        return Blake2b256.hash(bytes)
    }

    static func appendUInt32(_ value: Int, to bytes: inout [UInt8]) {
        precondition(value >= 0 && value <= Int(UInt32.max), "token id \(value) is not a u32")
        appendUInt32(UInt32(value), to: &bytes)
    }

    static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }
}

// MARK: - Wire

extension InferenceReceipt: WireCodable {
    public static var encodedBytesMin: Int {
        2 + InferenceRequestId.byteCount + 3 * PublicKey.byteCount + 2 + 2 * Hash32.byteCount + 4 + 4
            + ReceiptSampling.encodedBytesMin + Hash32.byteCount + 4 + 8 + 8 + 8
    }

    /// - Precondition: `violation == nil` (an ill-formed receipt would be bytes no peer accepts).
    public func encode(to encoder: inout WireEncoder) {
        if let reason = violation { preconditionFailure("InferenceReceipt cannot be encoded: \(reason)") }
        encoder.writeString(chainId, field: "InferenceReceipt.chainId", max: ChainLimits.chainIdBytesMax)
        encoder.write(requestId)
        encoder.write(customer)
        encoder.write(host)
        encoder.write(gateway)
        encoder.writeString(model, field: "InferenceReceipt.model", max: ReceiptLimits.modelNameBytesMax)
        encoder.write(promptHash)
        encoder.write(outputHash)
        encoder.writeUInt32(promptTokens)
        encoder.writeUInt32(completionTokens)
        encoder.write(sampling)
        encoder.write(logprobRoot)
        encoder.writeUInt32(logprobK)
        encoder.writeUInt64(pricePerToken)
        encoder.writeUInt64(epoch)
        encoder.writeUInt64(servedAtMilliseconds)
    }

    /// Reads a receipt; refuses one whose `violation` is not `nil` with `invalidValue`.
    public init(from decoder: inout WireDecoder) throws(WireError) {
        chainId = try decoder.readString(field: "InferenceReceipt.chainId", max: ChainLimits.chainIdBytesMax)
        requestId = try decoder.read(InferenceRequestId.self)
        customer = try decoder.read(PublicKey.self)
        host = try decoder.read(PublicKey.self)
        gateway = try decoder.read(PublicKey.self)
        model = try decoder.readString(field: "InferenceReceipt.model", max: ReceiptLimits.modelNameBytesMax)
        promptHash = try decoder.read(Hash32.self)
        outputHash = try decoder.read(Hash32.self)
        promptTokens = try decoder.readUInt32()
        completionTokens = try decoder.readUInt32()
        sampling = try decoder.read(ReceiptSampling.self)
        logprobRoot = try decoder.read(Hash32.self)
        logprobK = try decoder.readUInt32()
        pricePerToken = try decoder.readUInt64()
        epoch = try decoder.readUInt64()
        servedAtMilliseconds = try decoder.readUInt64()
        if let reason = violation { throw .invalidValue(field: "InferenceReceipt", reason: reason) }
    }
}
