/// Why a genesis file was refused. Each message names the field and says what to fix.
public import PoUWCore

public enum GenesisError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not JSON of the genesis shape (`reason` is the decoder's account of where).
    case malformed(reason: String)
    /// The chain id breaks the chain id rule (`ChainId`).
    case invalidChainId(String, reason: String)
    /// The chain id is not the one the node is configured for.
    case chainIdMismatch(expected: String, actual: String)
    /// `field` is not 64 hex digits of a valid Ed25519 public key.
    case invalidPublicKey(field: String, text: String)
    /// A key appears twice in `list` ("accounts" or "validators").
    case duplicateKey(list: String, key: PublicKey)
    /// No validators: nobody could produce or finalise a block.
    case emptyValidatorSet
    /// More entries in `list` than `max`.
    case tooManyEntries(list: String, count: Int, max: Int)
    /// A validator with weight zero (it could never vote).
    case zeroWeight(field: String)
    /// The validators' weights sum above `ChainLimits.totalWeightMax`.
    case totalWeightTooLarge(max: UInt64)
    /// Balances plus collateral exceed `UInt64.max`.
    case supplyOverflow
    /// A validator name that is empty or too long.
    case invalidName(field: String, reason: String)
    /// Parameters out of range, one line each.
    case invalidParameters([String])

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            "cannot read the genesis file \(path): \(reason); check the path given with --genesis"
        case let .malformed(reason):
            "the genesis file is not valid genesis JSON: \(reason); compare it with Genesis/devnet.json "
                + "and docs/genesis.md"
        case let .invalidChainId(id, reason):
            "genesis chainId \"\(id)\" \(reason)"
        case let .chainIdMismatch(expected, actual):
            "the genesis file is for chain \"\(actual)\" but the node is configured for \"\(expected)\"; "
                + "use the genesis of your chain or fix chain_id in config.toml"
        case let .invalidPublicKey(field, text):
            "\(field) \"\(text.prefix(80))\" is not a valid Ed25519 public key; write the 32-byte key as "
                + "64 hex digits (`pouw keys show` prints it)"
        case let .duplicateKey(list, key):
            "key \(key) appears more than once in \(list); merge the entries"
        case .emptyValidatorSet:
            "the genesis has no validators; list at least one under \"validators\""
        case let .tooManyEntries(list, count, max):
            "\(list) has \(count) entries, at most \(max) are allowed"
        case let .zeroWeight(field):
            "\(field) is 0; every genesis validator needs a positive weight (remove it otherwise)"
        case let .totalWeightTooLarge(max):
            "the validators' weights sum above \(max); scale them down"
        case .supplyOverflow:
            "balances plus collateral exceed the largest 64-bit amount; lower them"
        case let .invalidName(field, reason):
            "\(field) \(reason)"
        case let .invalidParameters(lines):
            "genesis parameters out of range: " + lines.joined(separator: "; ")
        }
    }
}
