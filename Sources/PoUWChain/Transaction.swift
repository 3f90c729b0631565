/// Transactions: what an account asks the chain to do. Plain data with one canonical wire encoding
/// (layouts in docs/protocol.md); signing and checking live in SignedTransaction.swift.
public import PoUWCore
public import PoUWWire

/// What a host offers: the models it serves, where its OpenAI-compatible API listens, and a free-form
/// hardware class. Bounded by `ChainLimits.hostModelsMax`, `.modelNameBytesMax`, `.apiEndpointBytesMax`
/// and `.hardwareClassBytesMax`.
public struct HostInfo: Hashable, Sendable {
    public var models: [String]
    public var apiEndpoint: String
    public var hardwareClass: String

    public init(models: [String], apiEndpoint: String, hardwareClass: String) {
        self.models = models
        self.apiEndpoint = apiEndpoint
        self.hardwareClass = hardwareClass
    }

    /// Why this registration is ill-formed (too many or too long fields, an empty model name or
    /// endpoint), or `nil` when it is well-formed.
    public var violation: String? {
        guard !models.isEmpty, models.count <= ChainLimits.hostModelsMax else {
            return "a host registers 1 to \(ChainLimits.hostModelsMax) models, got \(models.count)"
        }
        for model in models where model.isEmpty || model.utf8.count > ChainLimits.modelNameBytesMax {
            return "model name \"\(model.prefix(32))\" must be 1 to \(ChainLimits.modelNameBytesMax) bytes"
        }
        guard !apiEndpoint.isEmpty, apiEndpoint.utf8.count <= ChainLimits.apiEndpointBytesMax else {
            return "apiEndpoint must be 1 to \(ChainLimits.apiEndpointBytesMax) bytes"
        }
        guard hardwareClass.utf8.count <= ChainLimits.hardwareClassBytesMax else {
            return "hardwareClass must be at most \(ChainLimits.hardwareClassBytesMax) bytes"
        }
        return nil
    }
}

/// The action of a transaction. Amounts are in the chain's smallest unit.
public enum TransactionBody: Hashable, Sendable {
    /// Moves `amount` from the sender's balance to `to`'s.
    case transfer(to: PublicKey, amount: UInt64)
    /// Moves `amount` from the sender's balance to its bonded collateral.
    case bond(amount: UInt64)
    /// Moves `amount` of bonded collateral to the unbonding queue; it returns to the balance
    /// `unbondingBlocks` blocks later.
    case unbond(amount: UInt64)
    /// Registers (or replaces) the sender as an inference host.
    case registerHost(HostInfo)
    /// The sender's Sprint result for `epoch`: the Merkle root over `count` per-nonce artifacts.
    case sprintCommit(epoch: UInt64, root: Hash32, count: UInt64)
    /// An assigned verifier's judgement of `participant`'s Sprint commit in `epoch`.
    case sprintVerdict(epoch: UInt64, participant: PublicKey, passed: Bool)

    /// The wire tag of each case (u8).
    enum Tag: UInt8 {
        case transfer = 1, bond = 2, unbond = 3, registerHost = 4, sprintCommit = 5, sprintVerdict = 6
    }
}

/// An unsigned transaction. `nonce` must equal the sender's account nonce when it executes (each
/// account's transactions execute once, in nonce order); `fee` goes to the block's proposer.
public struct Transaction: Hashable, Sendable {
    public var chainId: String
    public var sender: PublicKey
    public var nonce: UInt64
    public var fee: UInt64
    public var body: TransactionBody

    public init(chainId: String, sender: PublicKey, nonce: UInt64, fee: UInt64, body: TransactionBody) {
        self.chainId = chainId
        self.sender = sender
        self.nonce = nonce
        self.fee = fee
        self.body = body
    }

    /// The bytes the sender signs under `MessageKind.transaction`: the transaction's encoding.
    public var signingPayload: [UInt8] {
        var encoder = WireEncoder(reservingCapacity: 128)
        encode(to: &encoder)
        return encoder.bytes
    }
}

// MARK: - Wire

extension HostInfo: WireCodable {
    public static var encodedBytesMin: Int { 3 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeArray(models, field: "HostInfo.models", max: ChainLimits.hostModelsMax) { encoder, model in
            encoder.writeString(model, field: "HostInfo.models[]", max: ChainLimits.modelNameBytesMax)
        }
        encoder.writeString(apiEndpoint, field: "HostInfo.apiEndpoint", max: ChainLimits.apiEndpointBytesMax)
        encoder.writeString(hardwareClass, field: "HostInfo.hardwareClass", max: ChainLimits.hardwareClassBytesMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        models = try decoder.readArray(
            field: "HostInfo.models", max: ChainLimits.hostModelsMax, elementBytesMin: 1
        ) { (decoder) throws(WireError) in
            try decoder.readString(field: "HostInfo.models[]", max: ChainLimits.modelNameBytesMax)
        }
        apiEndpoint = try decoder.readString(field: "HostInfo.apiEndpoint", max: ChainLimits.apiEndpointBytesMax)
        hardwareClass = try decoder.readString(
            field: "HostInfo.hardwareClass", max: ChainLimits.hardwareClassBytesMax
        )
    }
}

extension TransactionBody: WireCodable {
    public static var encodedBytesMin: Int { 1 + 8 }

    public func encode(to encoder: inout WireEncoder) {
        switch self {
        case let .transfer(to, amount):
            encoder.writeEnum(Tag.transfer)
            encoder.write(to)
            encoder.writeUInt64(amount)
        case let .bond(amount):
            encoder.writeEnum(Tag.bond)
            encoder.writeUInt64(amount)
        case let .unbond(amount):
            encoder.writeEnum(Tag.unbond)
            encoder.writeUInt64(amount)
        case let .registerHost(info):
            encoder.writeEnum(Tag.registerHost)
            encoder.write(info)
        case let .sprintCommit(epoch, root, count):
            encoder.writeEnum(Tag.sprintCommit)
            encoder.writeUInt64(epoch)
            encoder.write(root)
            encoder.writeUInt64(count)
        case let .sprintVerdict(epoch, participant, passed):
            encoder.writeEnum(Tag.sprintVerdict)
            encoder.writeUInt64(epoch)
            encoder.write(participant)
            encoder.writeBool(passed)
        }
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        switch try decoder.readEnum(Tag.self) {
        case .transfer:
            let to = try decoder.read(PublicKey.self)
            self = .transfer(to: to, amount: try decoder.readUInt64())
        case .bond:
            self = .bond(amount: try decoder.readUInt64())
        case .unbond:
            self = .unbond(amount: try decoder.readUInt64())
        case .registerHost:
            self = .registerHost(try decoder.read(HostInfo.self))
        case .sprintCommit:
            let epoch = try decoder.readUInt64()
            let root = try decoder.read(Hash32.self)
            self = .sprintCommit(epoch: epoch, root: root, count: try decoder.readUInt64())
        case .sprintVerdict:
            let epoch = try decoder.readUInt64()
            let participant = try decoder.read(PublicKey.self)
            self = .sprintVerdict(epoch: epoch, participant: participant, passed: try decoder.readBool())
        }
    }
}

extension Transaction: WireCodable {
    public static var encodedBytesMin: Int { 1 + 32 + 8 + 8 + TransactionBody.encodedBytesMin }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeString(chainId, field: "Transaction.chainId", max: ChainLimits.chainIdBytesMax)
        encoder.write(sender)
        encoder.writeUInt64(nonce)
        encoder.writeUInt64(fee)
        encoder.write(body)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        chainId = try decoder.readString(field: "Transaction.chainId", max: ChainLimits.chainIdBytesMax)
        sender = try decoder.read(PublicKey.self)
        nonce = try decoder.readUInt64()
        fee = try decoder.readUInt64()
        body = try decoder.read(TransactionBody.self)
    }
}
