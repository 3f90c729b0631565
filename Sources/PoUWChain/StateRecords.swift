/// The records the chain state keeps, each with one canonical wire encoding (what the store holds and
/// what the state commitment hashes).
public import PoUWCore
public import PoUWWire

/// An account: spendable balance and the nonce its next transaction must carry. An account never
/// seen has balance 0 and nonce 0.
public struct Account: Hashable, Sendable {
    public var balance: UInt64
    public var nonce: UInt64

    public init(balance: UInt64 = 0, nonce: UInt64 = 0) {
        self.balance = balance
        self.nonce = nonce
    }

    public static let empty = Account()
}

/// One validator's voting weight in an epoch.
public struct EpochWeight: Hashable, Sendable {
    public var key: PublicKey
    public var weight: UInt64

    public init(key: PublicKey, weight: UInt64) {
        self.key = key
        self.weight = weight
    }
}

/// What the chain knows about an epoch: where it starts, its seed, the sample seed once the Sprint's
/// commit window has closed, and its validators' weights (sorted by key).
public struct EpochInfo: Hashable, Sendable {
    public var epoch: UInt64
    public var startHeight: UInt64
    /// seed(0) = BLAKE2b("pouw/genesis-seed/v1" ‖ genesis hash); seed(e+1) = `EpochMath.nextSeed`.
    public var seed: Hash32
    /// The hash of block e·E + S, recorded when block e·E + S + 1 executes; `nil` before.
    public var sampleSeed: Hash32?
    public var weights: [EpochWeight]

    public init(epoch: UInt64, startHeight: UInt64, seed: Hash32, sampleSeed: Hash32?, weights: [EpochWeight]) {
        self.epoch = epoch
        self.startHeight = startHeight
        self.seed = seed
        self.sampleSeed = sampleSeed
        self.weights = weights
    }

    /// The weights as the tuples `EpochMath` and `SprintSampling` take.
    public var weightTuples: [(key: PublicKey, weight: UInt64)] { weights.map { ($0.key, $0.weight) } }

    /// The sum of the weights (at most `ChainLimits.totalWeightMax`, so it cannot overflow).
    public var totalWeight: UInt64 { weights.reduce(0) { $0 + $1.weight } }

    /// The weight of `key`, 0 when it is not a validator of the epoch.
    public func weight(of key: PublicKey) -> UInt64 { weights.first { $0.key == key }?.weight ?? 0 }
}

/// A Sprint commit as the state holds it.
public struct SprintCommitRecord: Hashable, Sendable {
    public var root: Hash32
    public var count: UInt64
    /// The height of the block that carried it.
    public var height: UInt64

    public init(root: Hash32, count: UInt64, height: UInt64) {
        self.root = root
        self.count = count
        self.height = height
    }
}

/// The position of a chain: the last applied block (height 0: the genesis).
public struct ChainHead: Hashable, Sendable {
    public var height: UInt64
    /// The last block's hash; at height 0 the genesis hash (block 1's `previousHash`).
    public var hash: Hash32
    /// The state commitment after the last block (at height 0, of the genesis state).
    public var stateCommitment: Hash32
    /// The last block's time; at height 0 the genesis time.
    public var timeMilliseconds: UInt64

    public init(height: UInt64, hash: Hash32, stateCommitment: Hash32, timeMilliseconds: UInt64) {
        self.height = height
        self.hash = hash
        self.stateCommitment = stateCommitment
        self.timeMilliseconds = timeMilliseconds
    }
}

// MARK: - Wire

extension Account: WireCodable {
    public static var encodedBytesMin: Int { 16 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeUInt64(balance)
        encoder.writeUInt64(nonce)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        balance = try decoder.readUInt64()
        nonce = try decoder.readUInt64()
    }
}

extension EpochWeight: WireCodable {
    public static var encodedBytesMin: Int { 40 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(key)
        encoder.writeUInt64(weight)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        key = try decoder.read(PublicKey.self)
        weight = try decoder.readUInt64()
    }
}

extension EpochInfo: WireCodable {
    public static var encodedBytesMin: Int { 8 + 8 + 32 + 1 + 1 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeUInt64(epoch)
        encoder.writeUInt64(startHeight)
        encoder.write(seed)
        encoder.writeOptional(sampleSeed)
        encoder.writeArray(weights, field: "EpochInfo.weights", max: ChainLimits.validatorsMax)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        epoch = try decoder.readUInt64()
        startHeight = try decoder.readUInt64()
        seed = try decoder.read(Hash32.self)
        sampleSeed = try decoder.readOptional(Hash32.self, field: "EpochInfo.sampleSeed")
        weights = try decoder.readArray(
            of: EpochWeight.self, field: "EpochInfo.weights", max: ChainLimits.validatorsMax
        )
    }
}

extension SprintCommitRecord: WireCodable {
    public static var encodedBytesMin: Int { 48 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.write(root)
        encoder.writeUInt64(count)
        encoder.writeUInt64(height)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        root = try decoder.read(Hash32.self)
        count = try decoder.readUInt64()
        height = try decoder.readUInt64()
    }
}
