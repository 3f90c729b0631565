/// A stand-in with the signatures of EpochMath.swift and SprintSampling.swift (written on another
/// branch), with simple bodies so this module builds and its tests run before that branch is merged.
/// Deleted when the real files arrive; nothing here is a protocol rule.
public import PoUWCore
import PoUWCrypto

public struct EpochParticipantInput: Sendable {
    public var key: PublicKey
    public var verifiedCount: UInt64
    public var bondedCollateral: UInt64

    public init(key: PublicKey, verifiedCount: UInt64, bondedCollateral: UInt64) {
        self.key = key
        self.verifiedCount = verifiedCount
        self.bondedCollateral = bondedCollateral
    }
}

public struct WeightRules: Sendable, Equatable {
    public var modelScale: UInt64
    public var capPercent: UInt64
    public var freeWeightPercent: UInt64
    public var weightPerCollateralUnit: UInt64

    public init(modelScale: UInt64, capPercent: UInt64, freeWeightPercent: UInt64, weightPerCollateralUnit: UInt64) {
        self.modelScale = modelScale
        self.capPercent = capPercent
        self.freeWeightPercent = freeWeightPercent
        self.weightPerCollateralUnit = weightPerCollateralUnit
    }
}

public enum EpochMath {
    /// Next epoch's weights (sorted by key, zero weights dropped). Stand-in: count × scale, no caps.
    public static func nextWeights(
        _ participants: [EpochParticipantInput], rules: WeightRules
    ) -> [(key: PublicKey, weight: UInt64)] {
        participants
            .map { input in
                let (weight, overflow) = input.verifiedCount.multipliedReportingOverflow(by: rules.modelScale)
                return (key: input.key, weight: overflow ? UInt64.max : weight)
            }
            .filter { $0.weight > 0 }
            .sorted { $0.key < $1.key }
    }

    /// seed(e+1) = BLAKE2b-256("pouw/epoch-seed/v1" ‖ seed(e) ‖ lastCommitHash)
    public static func nextSeed(previous: Hash32, lastCommitHash: Hash32) -> Hash32 {
        Blake2b256.hash(Array("pouw/epoch-seed/v1".utf8) + previous.bytes + lastCommitHash.bytes)
    }
}

public enum SprintSampling {
    /// The nonces of `participant`'s Sprint commit that verifiers must check. Stand-in: the first ones.
    public static func sampledNonces(
        sampleSeed: Hash32, participant: PublicKey, count: UInt64, samples: Int
    ) -> [UInt64] {
        Array(0..<min(count, UInt64(max(samples, 0))))
    }

    /// The verifiers assigned to `participant`. Stand-in: the first `count` other keys in key order.
    public static func verifiers(
        sampleSeed: Hash32, participant: PublicKey, weights: [(key: PublicKey, weight: UInt64)], count: Int
    ) -> [PublicKey] {
        Array(weights.map(\.key).filter { $0 != participant }.sorted().prefix(max(count, 0)))
    }
}
