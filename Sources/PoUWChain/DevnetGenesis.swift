/// The development network's genesis (Genesis/devnet.json) and its deterministic keys. These keys are
/// PUBLIC knowledge: anyone can derive them, so a devnet holds nothing of value.
import PoUWCore
public import PoUWCrypto

extension Genesis {
    /// The chain id of the devnet.
    public static let devnetChainId = "pouw-devnet"
    /// 2026-01-01T00:00:00Z.
    public static let devnetTimeMilliseconds: UInt64 = 1_767_225_600_000
    /// Balance of each devnet validator's account.
    public static let devnetBalance: UInt64 = 1_000_000_000
    /// Collateral bonded for each devnet validator.
    public static let devnetCollateral: UInt64 = 1_000_000
    /// Weight of each devnet validator.
    public static let devnetWeight: UInt64 = 100

    /// The Ed25519 seed of devnet key `index`: BLAKE2b-256("pouw/devnet-key/v1" ‖ index as u32
    /// little-endian).
    /// - Precondition: `index >= 0`.
    public static func devnetSeed(index: Int) -> [UInt8] {
        precondition(index >= 0 && index <= Int(UInt32.max), "a devnet key index is a u32")
        let value = UInt32(index)
        let indexBytes = (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        return Blake2b256.hash(Array("pouw/devnet-key/v1".utf8) + indexBytes).bytes
    }

    /// The key pair of devnet validator `index`.
    public static func devnetKeyPair(index: Int) -> KeyPair { KeyPair(seed: devnetSeed(index: index)) }

    /// A devnet genesis of `validatorCount` validators named "validator-0" ..., each with weight
    /// `devnetWeight`, collateral `devnetCollateral` and an account of `devnetBalance`; default
    /// parameters unless `parameters` is given. `Genesis.devnet()` is Genesis/devnet.json.
    public static func devnet(
        chainId: String = devnetChainId, validatorCount: Int = 4, parameters: ChainParameters = ChainParameters(),
        genesisTimeMilliseconds: UInt64 = devnetTimeMilliseconds
    ) -> Genesis {
        let keys = (0..<validatorCount).map { devnetKeyPair(index: $0).publicKey }
        return Genesis(
            chainId: chainId, genesisTimeMilliseconds: genesisTimeMilliseconds, parameters: parameters,
            accounts: keys.map { GenesisAccount(publicKey: $0, balance: devnetBalance) },
            validators: keys.enumerated().map { index, key in
                GenesisValidator(
                    publicKey: key, weight: devnetWeight, collateral: devnetCollateral, name: "validator-\(index)"
                )
            }
        )
    }
}
