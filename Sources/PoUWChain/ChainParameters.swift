/// The chain's tunable parameters, fixed in genesis. Every field has a default, so a genesis file
/// names only what it changes. Ranges are checked by `violations()` (docs/genesis.md lists them).
public import PoUWWire

/// The network model every participant runs in the Sprint: a name and the SHA-256 of its GGUF file
/// (lower-case hex, 64 characters).
public struct ModelSpec: Hashable, Sendable, Codable {
    public var name: String
    public var sha256: String

    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }

    /// SmolLM2-135M-Instruct, Q4_1 GGUF, as Deploy/setup.sh fetches it.
    public static let reference = ModelSpec(
        name: "SmolLM2-135M-Instruct.Q4_1.gguf",
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    )
}

/// Genesis parameters. Heights and lengths are in blocks, amounts in the smallest unit.
public struct ChainParameters: Hashable, Sendable {
    /// E: blocks per epoch. Epoch e holds heights e·E+1 ... (e+1)·E.
    public var epochLength: UInt64 = 100
    /// S: the first S blocks of an epoch accept Sprint commits; the remaining E − S accept verdicts.
    public var sprintLength: UInt64 = 20
    /// Blocks between an unbond and the return of the collateral to the balance; at least E, so that
    /// collateral backing an epoch's weight stays bonded (slashable) through that epoch.
    public var unbondingBlocks: UInt64 = 200
    /// Target time between blocks (the consensus driver's pacing), in milliseconds.
    public var blockIntervalMilliseconds: UInt64 = 1000
    /// Largest nonce count of one Sprint commit.
    public var sprintNoncesMax: UInt64 = 1 << 20
    /// Nonces each verifier re-computes per participant.
    public var sprintSamples: UInt64 = 8
    /// Verifiers assigned to each participant.
    public var sprintVerifiers: UInt64 = 3
    /// Weight per verified Sprint nonce.
    public var modelScale: UInt64 = 1
    /// Largest share of the total weight one participant may hold, in percent.
    public var weightCapPercent: UInt64 = 25
    /// Share of a participant's weight that needs no collateral, in percent.
    public var freeWeightPercent: UInt64 = 50
    /// Weight that one unit of bonded collateral backs.
    public var weightPerCollateralUnit: UInt64 = 1
    /// Smallest fee a transaction may pay.
    public var minimumFee: UInt64 = 1
    /// Most transactions in one block (at most `ChainLimits.transactionsPerBlockMax`).
    public var transactionsPerBlockMax: UInt64 = 1000
    /// The Sprint's network model.
    public var model: ModelSpec = .reference

    /// The defaults.
    public init() {}

    /// The rules `EpochMath.nextWeights` applies.
    public var weightRules: WeightRules {
        WeightRules(
            modelScale: modelScale, capPercent: weightCapPercent, freeWeightPercent: freeWeightPercent,
            weightPerCollateralUnit: weightPerCollateralUnit
        )
    }

    /// The epoch of block `height` (≥ 1): (height − 1) / E.
    public func epoch(ofHeight height: UInt64) -> UInt64 {
        precondition(height >= 1, "height 0 is the genesis state, not a block")
        return (height - 1) / epochLength
    }

    /// The first height of `epoch`: e·E + 1.
    public func firstHeight(ofEpoch epoch: UInt64) -> UInt64 { epoch * epochLength + 1 }

    /// The last height of `epoch`: (e + 1)·E.
    public func lastHeight(ofEpoch epoch: UInt64) -> UInt64 { (epoch + 1) * epochLength }

    /// The last height that accepts Sprint commits in `epoch`, e·E + S; its block hash is the
    /// epoch's sample seed.
    public func sprintLastHeight(ofEpoch epoch: UInt64) -> UInt64 { epoch * epochLength + sprintLength }

    /// Every parameter outside its range, as "field: what is allowed, got what" (empty when valid).
    public func violations() -> [String] {
        var found: [String] = []
        func check(_ name: String, _ value: UInt64, _ range: ClosedRange<UInt64>) {
            if !range.contains(value) {
                found.append("\(name) must be \(range.lowerBound) to \(range.upperBound), got \(value)")
            }
        }
        check("epochLength", epochLength, 2...Self.epochLengthMax)
        check("sprintLength", sprintLength, 1...Self.epochLengthMax)
        if sprintLength >= epochLength {
            found.append("sprintLength (\(sprintLength)) must be below epochLength (\(epochLength)): "
                + "an epoch needs blocks after the Sprint for the verdicts")
        }
        check("unbondingBlocks", unbondingBlocks, 1...Self.unbondingBlocksMax)
        if unbondingBlocks < epochLength {
            found.append("unbondingBlocks (\(unbondingBlocks)) must be at least epochLength (\(epochLength)): "
                + "collateral that backs an epoch's weight must stay bonded until that epoch ends")
        }
        check("blockIntervalMilliseconds", blockIntervalMilliseconds, 10...600_000)
        check("sprintNoncesMax", sprintNoncesMax, 1...(1 << 32))
        check("sprintSamples", sprintSamples, 1...1024)
        check("sprintVerifiers", sprintVerifiers, 1...UInt64(ChainLimits.validatorsMax - 1))
        check("modelScale", modelScale, 1...(1 << 20))
        check("weightCapPercent", weightCapPercent, 1...100)
        check("freeWeightPercent", freeWeightPercent, 0...100)
        check("weightPerCollateralUnit", weightPerCollateralUnit, 1...(1 << 32))
        check("minimumFee", minimumFee, 0...(1 << 62))
        check("transactionsPerBlockMax", transactionsPerBlockMax, 1...UInt64(ChainLimits.transactionsPerBlockMax))
        if model.name.isEmpty || model.name.utf8.count > ChainLimits.modelNameBytesMax {
            found.append("model.name must be 1 to \(ChainLimits.modelNameBytesMax) bytes")
        }
        let hexDigits = Set("0123456789abcdef".utf8)
        if model.sha256.utf8.count != 64 || !model.sha256.utf8.allSatisfy(hexDigits.contains) {
            found.append("model.sha256 must be 64 lower-case hex digits (sha256sum of the GGUF file)")
        }
        return found
    }

    /// Longest epoch, in blocks.
    public static let epochLengthMax: UInt64 = 10_000_000
    /// Longest unbonding period, in blocks.
    public static let unbondingBlocksMax: UInt64 = 100_000_000
}

extension ChainParameters: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case epochLength, sprintLength, unbondingBlocks, blockIntervalMilliseconds, sprintNoncesMax,
             sprintSamples, sprintVerifiers, modelScale, weightCapPercent, freeWeightPercent,
             weightPerCollateralUnit, minimumFee, transactionsPerBlockMax, model
    }

    /// Reads the fields present and keeps the defaults of the others; an unknown field is an error (a
    /// misspelt parameter would otherwise silently keep its default).
    public init(from decoder: any Decoder) throws {
        try JSONFields.refuseUnknown(decoder, known: CodingKeys.allCases.map(\.stringValue), in: "parameters")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        func read(_ key: CodingKeys, _ value: inout UInt64) throws {
            if let present = try c.decodeIfPresent(UInt64.self, forKey: key) { value = present }
        }
        try read(.epochLength, &epochLength)
        try read(.sprintLength, &sprintLength)
        try read(.unbondingBlocks, &unbondingBlocks)
        try read(.blockIntervalMilliseconds, &blockIntervalMilliseconds)
        try read(.sprintNoncesMax, &sprintNoncesMax)
        try read(.sprintSamples, &sprintSamples)
        try read(.sprintVerifiers, &sprintVerifiers)
        try read(.modelScale, &modelScale)
        try read(.weightCapPercent, &weightCapPercent)
        try read(.freeWeightPercent, &freeWeightPercent)
        try read(.weightPerCollateralUnit, &weightPerCollateralUnit)
        try read(.minimumFee, &minimumFee)
        try read(.transactionsPerBlockMax, &transactionsPerBlockMax)
        if let present = try c.decodeIfPresent(ModelSpec.self, forKey: .model) { model = present }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochLength, forKey: .epochLength)
        try c.encode(sprintLength, forKey: .sprintLength)
        try c.encode(unbondingBlocks, forKey: .unbondingBlocks)
        try c.encode(blockIntervalMilliseconds, forKey: .blockIntervalMilliseconds)
        try c.encode(sprintNoncesMax, forKey: .sprintNoncesMax)
        try c.encode(sprintSamples, forKey: .sprintSamples)
        try c.encode(sprintVerifiers, forKey: .sprintVerifiers)
        try c.encode(modelScale, forKey: .modelScale)
        try c.encode(weightCapPercent, forKey: .weightCapPercent)
        try c.encode(freeWeightPercent, forKey: .freeWeightPercent)
        try c.encode(weightPerCollateralUnit, forKey: .weightPerCollateralUnit)
        try c.encode(minimumFee, forKey: .minimumFee)
        try c.encode(transactionsPerBlockMax, forKey: .transactionsPerBlockMax)
        try c.encode(model, forKey: .model)
    }
}

extension ChainParameters: WireCodable {
    public static var encodedBytesMin: Int { 13 * 8 + 2 }

    /// The canonical encoding: the 13 integers in declaration order (u64), then the model's name and
    /// sha256 as strings. Part of the genesis hash and of the state commitment.
    public func encode(to encoder: inout WireEncoder) {
        for value in [
            epochLength, sprintLength, unbondingBlocks, blockIntervalMilliseconds, sprintNoncesMax, sprintSamples,
            sprintVerifiers, modelScale, weightCapPercent, freeWeightPercent, weightPerCollateralUnit, minimumFee,
            transactionsPerBlockMax,
        ] {
            encoder.writeUInt64(value)
        }
        encoder.writeString(model.name, field: "ModelSpec.name", max: ChainLimits.modelNameBytesMax)
        encoder.writeString(model.sha256, field: "ModelSpec.sha256", max: 64)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        self.init()
        epochLength = try decoder.readUInt64()
        sprintLength = try decoder.readUInt64()
        unbondingBlocks = try decoder.readUInt64()
        blockIntervalMilliseconds = try decoder.readUInt64()
        sprintNoncesMax = try decoder.readUInt64()
        sprintSamples = try decoder.readUInt64()
        sprintVerifiers = try decoder.readUInt64()
        modelScale = try decoder.readUInt64()
        weightCapPercent = try decoder.readUInt64()
        freeWeightPercent = try decoder.readUInt64()
        weightPerCollateralUnit = try decoder.readUInt64()
        minimumFee = try decoder.readUInt64()
        transactionsPerBlockMax = try decoder.readUInt64()
        let name = try decoder.readString(field: "ModelSpec.name", max: ChainLimits.modelNameBytesMax)
        model = ModelSpec(name: name, sha256: try decoder.readString(field: "ModelSpec.sha256", max: 64))
    }
}
