/// Hard bounds of the chain's data, named with their units. Genesis parameters may lower the
/// per-block transaction count (`ChainParameters.transactionsPerBlockMax`) but never raise it past
/// these; decoders enforce these so that no peer can make a node allocate more.
import PoUWCore

public enum ChainLimits {
    /// Longest chain id, in bytes (characters of `[a-z0-9-]`); see `ChainId`.
    public static let chainIdBytesMax = 48
    /// Largest encoded signed transaction (without the message version byte), in bytes.
    public static let transactionBytesMax = 4 * 1024
    /// Most transactions in one block.
    public static let transactionsPerBlockMax = 10_000
    /// Largest encoded block message, in bytes: an envelope payload, so a block always fits in a frame
    /// (`Limits.frameBytesMax`) with room for what wraps it.
    public static let blockBytesMax = Limits.envelopePayloadBytesMax
    /// Most model names one host may register.
    public static let hostModelsMax = 16
    /// Longest model name, in bytes.
    public static let modelNameBytesMax = Limits.nameBytesMax
    /// Longest host API endpoint ("https://host:port/path"), in bytes.
    public static let apiEndpointBytesMax = 256
    /// Longest hardware class ("cpu-avx2", "h100-80g"), in bytes.
    public static let hardwareClassBytesMax = 64
    /// Most validators with weight in one epoch; the same bound as a commit certificate's precommits.
    public static let validatorsMax = 256
    /// Largest total weight of an epoch: votes sum weights and compare 3·signed with 2·total, so the
    /// total must stay far below `UInt64.max / 3`.
    public static let totalWeightMax: UInt64 = 1 << 60
    /// Most accounts in a genesis file.
    public static let genesisAccountsMax = 100_000
    /// Longest validator name in a genesis file, in bytes.
    public static let validatorNameBytesMax = Limits.nameBytesMax

    /// Preconditions on how these limits relate to the core limits.
    public static func check() {
        precondition(chainIdBytesMax <= Limits.chainIdBytesMax, "a chain id must be signable")
        precondition(blockBytesMax < Limits.frameBytesMax, "a block must fit in a frame")
        precondition(transactionBytesMax < blockBytesMax, "a transaction must fit in a block")
        precondition(validatorsMax <= 256, "commit certificates hold at most 256 precommits")
    }
}
