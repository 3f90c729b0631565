/// Epoch arithmetic: the next epoch's weights from the Sprint results, and the next epoch's seed.
/// Pure: no IO, no clock, no randomness; every step is integer arithmetic, so every node computes the
/// same weights bit for bit.
///
/// ## Weight rule
///
/// For each participant, with `n = verifiedCount` (nonces of its Sprint commit that the chain accepted)
/// and the epoch's `WeightRules`:
///
/// 1. `raw = n × modelScale`, saturating at 2^64 − 1.
/// 2. `free = raw × freeWeightPercent / 100` (floor; the product is taken in 128 bits, so it cannot
///    overflow). Only this share of the weight needs no collateral.
/// 3. `backed = min(raw − free, bondedCollateral × weightPerCollateralUnit)`, the product saturating at
///    2^64 − 1. The rest of the weight counts only as far as bonded collateral covers it.
/// 4. `w = free + backed` (cannot overflow: it is at most `raw`).
/// 5. Participants with `w = 0` are dropped.
/// 6. **The cap.** Let `m` be the number of participants left and `p = capPercent`. When `m × p ≥ 100`
///    (with the default p = 25: at least 4 participants), no participant may end with more than p% of
///    the final total. Fewer participants cannot all stay within p% (their shares sum to 100%), so for
///    `m × p < 100` the cap is skipped and the weights of step 4 stand.
///
///    The cap is water-filling, the closed form of "cap the largest, recompute the total over the
///    rest, repeat until stable". Sort the weights in descending order, `w₁ ≥ w₂ ≥ … ≥ w_m` (ties in
///    key order; ties never straddle the boundary, so the order does not change the result). For
///    `k = 0, 1, …` let `R_k = w_{k+1} + … + w_m` (the sum of the uncapped rest, exact in 128 bits) and
///
///        C_k = floor(p × R_k / (100 − p × k))
///
///    which is the largest value the k largest may all take while staying within p% of the new total
///    `k × C_k + R_k`. The cap level is `C = C_k` for the first `k` with `w_{k+1} ≤ C_k`; the k largest
///    get `C`, the others keep their weight. Such a `k < m` with `p × k < 100` always exists when
///    `m × p ≥ 100`. (When `k = 0` qualifies nobody is above p% and nothing changes.)
///
///    Bound: after the cap every weight `v` satisfies `v × 100 ≤ p × total` EXACTLY (the floor only
///    lowers `C`, never raises it), where `total` is the sum of the capped weights. The floor costs the
///    capped participants less than one unit each relative to the real-valued cap.
///
/// Weights are returned sorted by key. The caller guarantees distinct keys.
///
/// ## Epoch seed
///
/// `seed(e + 1) = BLAKE2b-256("pouw/epoch-seed/v1" ‖ seed(e) ‖ lastCommitHash)`, where `lastCommitHash`
/// is the hash of the commit certificate that finalised the last block of epoch e: nobody knows it
/// before the block is final, so nobody can steer the next epoch's Sprint inputs.
public import PoUWCore
import PoUWCrypto

/// What the weight computation needs to know about one participant at the end of an epoch.
public struct EpochParticipantInput: Sendable {
    public var key: PublicKey
    /// Nonces of the participant's Sprint commitment that the chain accepted as verified.
    public var verifiedCount: UInt64
    /// Collateral bonded by the participant, in the chain's smallest currency unit.
    public var bondedCollateral: UInt64

    public init(key: PublicKey, verifiedCount: UInt64, bondedCollateral: UInt64) {
        self.key = key
        self.verifiedCount = verifiedCount
        self.bondedCollateral = bondedCollateral
    }
}

/// The chain parameters of the weight rule (see `EpochMath`).
public struct WeightRules: Sendable, Equatable {
    /// Weight per verified Sprint nonce of the network model.
    public var modelScale: UInt64
    /// Largest share of the total weight one participant may hold, in percent (1...100; Gonka: 25).
    public var capPercent: UInt64
    /// Share of each participant's weight that needs no collateral, in percent (0...100; Gonka: 20).
    public var freeWeightPercent: UInt64
    /// Weight that one unit of bonded collateral backs.
    public var weightPerCollateralUnit: UInt64

    /// - Precondition: `capPercent` in 1...100 and `freeWeightPercent` in 0...100.
    public init(modelScale: UInt64, capPercent: UInt64, freeWeightPercent: UInt64, weightPerCollateralUnit: UInt64) {
        self.modelScale = modelScale
        self.capPercent = capPercent
        self.freeWeightPercent = freeWeightPercent
        self.weightPerCollateralUnit = weightPerCollateralUnit
        checkPreconditions()
    }

    func checkPreconditions() {
        precondition((1...100).contains(capPercent), "capPercent must be in 1...100, got \(capPercent)")
        precondition(freeWeightPercent <= 100, "freeWeightPercent must be in 0...100, got \(freeWeightPercent)")
    }
}

public enum EpochMath {
    /// Next epoch's weights (sorted by key, zero weights dropped), by the rule at the top of this file.
    ///
    /// - Precondition: the participants' keys are distinct; `rules` is within its documented ranges.
    public static func nextWeights(
        _ participants: [EpochParticipantInput], rules: WeightRules
    ) -> [(key: PublicKey, weight: UInt64)] {
        rules.checkPreconditions()
        let sorted = participants.sorted { $0.key < $1.key }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            precondition(a.key != b.key, "participant \(a.key) appears twice in the weight computation")
        }
        let uncapped = sorted.compactMap { p -> (key: PublicKey, weight: UInt64)? in
            let w = weight(p, rules: rules)
            return w == 0 ? nil : (p.key, w)
        }
        return capped(uncapped, capPercent: rules.capPercent)
    }

    /// seed(e+1) = BLAKE2b-256("pouw/epoch-seed/v1" ‖ seed(e) ‖ lastCommitHash)
    public static func nextSeed(previous: Hash32, lastCommitHash: Hash32) -> Hash32 {
        var hasher = Blake2b256.Hasher()
        hasher.update(Array("pouw/epoch-seed/v1".utf8))
        hasher.update(previous.bytes)
        hasher.update(lastCommitHash.bytes)
        return hasher.finalize()
    }

    /// Steps 1–4 of the rule: the weight before the cap.
    static func weight(_ p: EpochParticipantInput, rules: WeightRules) -> UInt64 {
        let raw = saturatingProduct(p.verifiedCount, rules.modelScale)
        let product = raw.multipliedFullWidth(by: rules.freeWeightPercent)
        let free = UInt64(100).dividingFullWidth((product.high, product.low)).quotient
        let backed = min(raw - free, saturatingProduct(p.bondedCollateral, rules.weightPerCollateralUnit))
        return free + backed
    }

    /// Step 6 of the rule on weights that are all positive; keeps the input order.
    static func capped(
        _ weights: [(key: PublicKey, weight: UInt64)], capPercent: UInt64
    ) -> [(key: PublicKey, weight: UInt64)] {
        let m = UInt64(weights.count)
        guard m >= 100 || m * capPercent >= 100 else { return weights }
        let descending = weights.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.key < $1.key }
        var rest = WideUInt()
        for entry in descending { rest.add(entry.weight) }
        var level = UInt64.max
        var k: UInt64 = 0
        for entry in descending {
            // p × k < 100 holds here: the loop stops at the latest at k = ceil(100 / p) − 1 (see the proof
            // sketch in the file comment), and m × p ≥ 100 makes that k < m.
            precondition(capPercent * k < 100, "cap search passed its bound: k \(k), capPercent \(capPercent)")
            let candidate = rest.multiplied(by: capPercent).quotientSaturating(dividingBy: 100 - capPercent * k)
            if entry.weight <= candidate {
                level = candidate
                break
            }
            rest.subtract(entry.weight)
            k += 1
        }
        return weights.map { ($0.key, min($0.weight, level)) }
    }

    static func saturatingProduct(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : value
    }
}

/// An unsigned 128-bit integer as two words: enough for a sum of up to 2^64 weights, times 100.
struct WideUInt {
    var high: UInt64 = 0
    var low: UInt64 = 0

    mutating func add(_ value: UInt64) {
        let (sum, carry) = low.addingReportingOverflow(value)
        low = sum
        if carry { high += 1 }
    }

    /// - Precondition: `value` ≤ self.
    mutating func subtract(_ value: UInt64) {
        let (difference, borrow) = low.subtractingReportingOverflow(value)
        low = difference
        if borrow {
            precondition(high > 0, "WideUInt subtraction below zero")
            high -= 1
        }
    }

    /// self × factor. - Precondition: the product fits in 128 bits.
    func multiplied(by factor: UInt64) -> WideUInt {
        let lowProduct = low.multipliedFullWidth(by: factor)
        let highProduct = high.multipliedFullWidth(by: factor)
        precondition(highProduct.high == 0, "WideUInt product above 128 bits")
        let (high, carry) = highProduct.low.addingReportingOverflow(lowProduct.high)
        precondition(!carry, "WideUInt product above 128 bits")
        return WideUInt(high: high, low: lowProduct.low)
    }

    /// floor(self / divisor), or 2^64 − 1 when the quotient does not fit in 64 bits.
    func quotientSaturating(dividingBy divisor: UInt64) -> UInt64 {
        precondition(divisor > 0, "division by zero")
        guard high < divisor else { return .max }
        return divisor.dividingFullWidth((high, low)).quotient
    }
}
