public import PoUWStorage
import PoUWCore

/// The transactions the probe commits in `commit-loop`, built so that a reader can tell a whole
/// transaction from a torn one. Transaction `n` (1, 2, …) writes:
/// - `rolling`: keys 0..<`rollingCount`, each `value(n, i, rollingValueBytes)`. Every transaction
///   rewrites all of them, so after any crash they must all carry the same `n`, the last committed.
/// - `bulk`, when `n` is a multiple of `bulkEvery`: keys 0..<`bulkCount`, `value(n, i, bulkValueBytes)`
///   (2 MiB in all, so a kill often lands inside it). They must all carry the last such `n`.
/// - `history`: key `n` → `value(n, 0, historyValueBytes)`; keys 1…last must all be there.
/// - `meta`: `lastKey` → `n`.
public enum CrashWorkload {
    public static let rolling = Table<UInt64, [UInt8]>("crash.rolling")
    public static let bulk = Table<UInt64, [UInt8]>("crash.bulk")
    public static let history = Table<UInt64, [UInt8]>("crash.history")
    public static let meta = Table<String, UInt64>("crash.meta")
    public static let tables: [any TableDeclaration] = [rolling, bulk, history, meta]

    public static let lastKey = "last"
    public static let rollingCount: UInt64 = 64
    public static let rollingValueBytes = 1024
    public static let bulkEvery: UInt64 = 3
    public static let bulkCount: UInt64 = 256
    public static let bulkValueBytes = 8 * 1024
    public static let historyValueBytes = 48

    /// `byteCount` bytes (at least 16) determined by `sequence` and `index`: both, big-endian, then
    /// SplitMix64 output seeded by them.
    public static func value(sequence: UInt64, index: UInt64, byteCount: Int) -> [UInt8] {
        precondition(byteCount >= 16, "a workload value holds at least its 16-byte header")
        var bytes = sequence.storageBytes + index.storageBytes
        bytes.reserveCapacity(byteCount)
        var generator = SeededGenerator(seed: sequence &* 0x9E37_79B9_7F4A_7C15 ^ index)
        while bytes.count < byteCount {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where bytes.count < byteCount {
                bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return bytes
    }

    /// Whether transaction `sequence` rewrites the bulk table.
    public static func writesBulk(_ sequence: UInt64) -> Bool {
        sequence % bulkEvery == 0
    }

    /// Writes transaction `sequence` through `tx`, calling `halfway` between the halves of the bulk
    /// (or of the rolling values when there is no bulk).
    public static func write(_ sequence: UInt64, _ tx: any WriteTransaction, halfway: () -> Void) throws {
        for index in 0..<rollingCount {
            if !writesBulk(sequence) && index == rollingCount / 2 { halfway() }
            try tx.put(rolling, index, value(sequence: sequence, index: index, byteCount: rollingValueBytes))
        }
        if writesBulk(sequence) {
            for index in 0..<bulkCount {
                if index == bulkCount / 2 { halfway() }
                try tx.put(bulk, index, value(sequence: sequence, index: index, byteCount: bulkValueBytes))
            }
        }
        try tx.put(history, sequence, value(sequence: sequence, index: 0, byteCount: historyValueBytes))
        try tx.put(meta, lastKey, sequence)
    }
}
