/// The genesis: the chain id, the parameters and the initial accounts and validators (docs/genesis.md).
/// Every node of a chain must start from byte-for-byte the same genesis; `hash` identifies it.
public import Foundation
public import PoUWCore
import PoUWCrypto
import PoUWWire

/// An account funded at genesis.
public struct GenesisAccount: Hashable, Sendable {
    public var publicKey: PublicKey
    public var balance: UInt64

    public init(publicKey: PublicKey, balance: UInt64) {
        self.publicKey = publicKey
        self.balance = balance
    }
}

/// A validator of epoch 0: its voting weight, the collateral bonded for it at genesis, and a
/// human-readable name (logs and status pages only; not part of the state).
public struct GenesisValidator: Hashable, Sendable {
    public var publicKey: PublicKey
    public var weight: UInt64
    public var collateral: UInt64
    public var name: String

    public init(publicKey: PublicKey, weight: UInt64, collateral: UInt64, name: String) {
        self.publicKey = publicKey
        self.weight = weight
        self.collateral = collateral
        self.name = name
    }
}

public struct Genesis: Hashable, Sendable {
    public var chainId: String
    /// The time of height 0, Unix milliseconds; block 1 must be later.
    public var genesisTimeMilliseconds: UInt64
    public var parameters: ChainParameters
    public var accounts: [GenesisAccount]
    public var validators: [GenesisValidator]

    public init(
        chainId: String, genesisTimeMilliseconds: UInt64, parameters: ChainParameters = ChainParameters(),
        accounts: [GenesisAccount], validators: [GenesisValidator]
    ) {
        self.chainId = chainId
        self.genesisTimeMilliseconds = genesisTimeMilliseconds
        self.parameters = parameters
        self.accounts = accounts
        self.validators = validators
    }

    /// Reads, parses and validates the genesis file at `path`.
    public static func load(path: String, expectedChainId: String? = nil) throws(GenesisError) -> Genesis {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try parse(data: data, expectedChainId: expectedChainId)
    }

    /// Parses and validates genesis JSON; when `expectedChainId` is given, the file must be for it.
    public static func parse(data: Data, expectedChainId: String? = nil) throws(GenesisError) -> Genesis {
        let file: GenesisFile
        do {
            file = try JSONDecoder().decode(GenesisFile.self, from: data)
        } catch let error as DecodingError {
            throw .malformed(reason: GenesisFile.explain(error))
        } catch {
            throw .malformed(reason: "\(error)")
        }
        let genesis = try file.genesis()
        try genesis.validate()
        if let expectedChainId, expectedChainId != genesis.chainId {
            throw .chainIdMismatch(expected: expectedChainId, actual: genesis.chainId)
        }
        return genesis
    }

    /// The genesis as pretty-printed JSON with sorted keys (what `parse` reads back).
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(GenesisFile(self))
        } catch {
            preconditionFailure("a genesis always encodes as JSON: \(error)")
        }
    }

    /// Checks everything a node needs before it trusts this genesis.
    /// - Throws: the first problem found, in this order: chain id, parameters, validator set (empty, too
    ///   large, duplicate or invalid keys, zero weights, names, total weight), accounts (count,
    ///   duplicate or invalid keys), supply overflow.
    public func validate() throws(GenesisError) {
        if let reason = ChainId.violation(chainId) { throw .invalidChainId(chainId, reason: reason) }
        let problems = parameters.violations()
        guard problems.isEmpty else { throw .invalidParameters(problems) }
        guard !validators.isEmpty else { throw .emptyValidatorSet }
        guard validators.count <= ChainLimits.validatorsMax else {
            throw .tooManyEntries(list: "validators", count: validators.count, max: ChainLimits.validatorsMax)
        }
        guard accounts.count <= ChainLimits.genesisAccountsMax else {
            throw .tooManyEntries(list: "accounts", count: accounts.count, max: ChainLimits.genesisAccountsMax)
        }
        var seen = Set<PublicKey>()
        var totalWeight: UInt64 = 0
        for (index, validator) in validators.enumerated() {
            let field = "validators[\(index)]"
            guard Ed25519.isValidPublicKey(validator.publicKey) else {
                throw .invalidPublicKey(field: "\(field).publicKey", text: validator.publicKey.description)
            }
            guard seen.insert(validator.publicKey).inserted else {
                throw .duplicateKey(list: "validators", key: validator.publicKey)
            }
            guard validator.weight > 0 else { throw .zeroWeight(field: "\(field).weight") }
            if validator.name.isEmpty || validator.name.utf8.count > ChainLimits.validatorNameBytesMax {
                throw .invalidName(
                    field: "\(field).name", reason: "must be 1 to \(ChainLimits.validatorNameBytesMax) bytes"
                )
            }
            let (sum, overflow) = totalWeight.addingReportingOverflow(validator.weight)
            guard !overflow, sum <= ChainLimits.totalWeightMax else {
                throw .totalWeightTooLarge(max: ChainLimits.totalWeightMax)
            }
            totalWeight = sum
        }
        seen.removeAll()
        for (index, account) in accounts.enumerated() {
            guard Ed25519.isValidPublicKey(account.publicKey) else {
                throw .invalidPublicKey(field: "accounts[\(index)].publicKey", text: account.publicKey.description)
            }
            guard seen.insert(account.publicKey).inserted else {
                throw .duplicateKey(list: "accounts", key: account.publicKey)
            }
        }
        guard checkedSupply() != nil else { throw .supplyOverflow }
    }

    /// Balances plus collateral, or `nil` when the sum overflows.
    func checkedSupply() -> UInt64? {
        var total: UInt64 = 0
        for amount in accounts.map(\.balance) + validators.map(\.collateral) {
            let (sum, overflow) = total.addingReportingOverflow(amount)
            if overflow { return nil }
            total = sum
        }
        return total
    }

    /// Every amount in existence: balances plus bonded collateral. Constant over the chain's life
    /// until emission or burning exist.
    /// - Precondition: a validated genesis.
    public var totalSupply: UInt64 {
        guard let supply = checkedSupply() else { preconditionFailure("genesis supply overflows; validate() first") }
        return supply
    }

    /// Epoch 0's weights, sorted by key.
    public var weights: [(key: PublicKey, weight: UInt64)] {
        validators.sorted { $0.publicKey < $1.publicKey }.map { ($0.publicKey, $0.weight) }
    }

    /// The genesis id: BLAKE2b-256 of the canonical encoding (docs/genesis.md, "Hash"): the tag
    /// "pouw/genesis/v1", the chain id, the time, the parameters, then the accounts and the validators,
    /// each list sorted by key. Validator names are included; JSON layout and field order are not.
    public var hash: Hash32 {
        var encoder = WireEncoder(reservingCapacity: 512)
        encoder.writeFixedBytes(Self.hashTag, count: Self.hashTag.count)
        encoder.writeString(chainId, field: "Genesis.chainId", max: ChainLimits.chainIdBytesMax)
        encoder.writeUInt64(genesisTimeMilliseconds)
        encoder.write(parameters)
        let sortedAccounts = accounts.sorted { $0.publicKey < $1.publicKey }
        encoder.writeArray(sortedAccounts, field: "Genesis.accounts", max: ChainLimits.genesisAccountsMax) { e, a in
            e.write(a.publicKey)
            e.writeUInt64(a.balance)
        }
        let sortedValidators = validators.sorted { $0.publicKey < $1.publicKey }
        encoder.writeArray(sortedValidators, field: "Genesis.validators", max: ChainLimits.validatorsMax) { e, v in
            e.write(v.publicKey)
            e.writeUInt64(v.weight)
            e.writeUInt64(v.collateral)
            e.writeString(v.name, field: "Genesis.validators[].name", max: ChainLimits.validatorNameBytesMax)
        }
        return Blake2b256.hash(encoder.bytes)
    }

    /// Epoch 0's seed: BLAKE2b-256("pouw/genesis-seed/v1" ‖ genesis hash).
    public var epochZeroSeed: Hash32 { Blake2b256.hash(Self.seedTag + hash.bytes) }

    static let hashTag = Array("pouw/genesis/v1".utf8)
    static let seedTag = Array("pouw/genesis-seed/v1".utf8)
}
