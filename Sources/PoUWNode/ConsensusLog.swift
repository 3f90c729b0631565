/// The consensus write-ahead log on LMDB (its own environment, `<data>/consensus`): every record the
/// consensus core asks to persist, keyed by (height, sequence), made durable before the node acts on
/// it. On restart the records of the height being decided rebuild the core exactly, so the node never
/// signs a vote that conflicts with one it signed before a crash.
public import PoUWConsensus
import PoUWCore
public import PoUWStorage
import PoUWWire

/// Why the write-ahead log failed; the node stops rather than act on a record it could not persist.
public enum ConsensusLogError: Error, CustomStringConvertible {
    case storage(String)
    case corruptRecord(height: UInt64, sequence: UInt32, reason: String)

    public var description: String {
        switch self {
        case .storage(let reason):
            "consensus write-ahead log: \(reason) — check the disk and the data directory's permissions"
        case .corruptRecord(let height, let sequence, let reason):
            "consensus write-ahead log record \(height)/\(sequence) is unreadable (\(reason)): "
                + "the data directory is damaged; move `consensus` aside to start the height afresh"
        }
    }
}

/// An append-only log of `WALRecord`s per height.
public final class ConsensusLog: @unchecked Sendable {
    static let records = Table<[UInt8], [UInt8]>("wal")
    public static let tables: [any TableDeclaration] = [records]
    /// Records read back for one height. The core's bounds (rounds held, one vote per voter and step)
    /// keep a height far below this; a log beyond it is damaged.
    public static let recordsPerHeightMax = 1_000_000

    let store: any KeyValueStore
    private var nextSequence: UInt32 = 0
    private var sequenceHeight: UInt64 = 0

    public init(store: any KeyValueStore) {
        self.store = store
    }

    static func key(height: UInt64, sequence: UInt32) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: height >> (56 - 8 * $0)) }
            + (0..<4).map { UInt8(truncatingIfNeeded: sequence >> (24 - 8 * $0)) }
    }

    /// The records of `height` in the order they were appended.
    public func records(height: UInt64) throws(ConsensusLogError) -> [WALRecord] {
        let entries: [(key: [UInt8], value: [UInt8])]
        do {
            entries = try store.read { tx in
                try tx.scan(Self.records, from: Self.key(height: height, sequence: 0), limit: Self.recordsPerHeightMax)
            }
        } catch {
            throw .storage("\(error)")
        }
        var out: [WALRecord] = []
        for entry in entries {
            guard entry.key.count == 12 else { continue }
            let recordHeight = entry.key[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard recordHeight == height else { break }
            let sequence = entry.key[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            do {
                out.append(try Wire.decode(WALRecord.self, from: entry.value))
            } catch {
                throw .corruptRecord(height: height, sequence: sequence, reason: "\(error)")
            }
        }
        if height >= sequenceHeight {
            sequenceHeight = height
            nextSequence = UInt32(out.count)
        }
        return out
    }

    /// Appends `records` (all of one height) in one durable write.
    public func append(_ batch: [WALRecord], height: UInt64) throws(ConsensusLogError) {
        guard !batch.isEmpty else { return }
        if height != sequenceHeight {
            sequenceHeight = height
            nextSequence = 0
        }
        let first = nextSequence
        do {
            try store.write { tx in
                for (offset, record) in batch.enumerated() {
                    try tx.put(Self.records, Self.key(height: height, sequence: first + UInt32(offset)),
                               Wire.encode(record))
                }
            }
        } catch {
            throw .storage("\(error)")
        }
        nextSequence = first + UInt32(batch.count)
    }

    /// Drops every record below `height` (those heights are final).
    public func prune(below height: UInt64) throws(ConsensusLogError) {
        do {
            try store.write { tx in
                while true {
                    let old = try tx.scan(Self.records, limit: 256)
                        .filter { $0.key[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } < height }
                    if old.isEmpty { break }
                    for entry in old { try tx.delete(Self.records, entry.key) }
                }
            }
        } catch {
            throw .storage("\(error)")
        }
    }
}
