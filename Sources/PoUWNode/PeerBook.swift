/// The signed peer records a node has met, kept in a small file across restarts.
import Foundation
public import PoUWCore
import PoUWNet

/// Verified peer records, one per node (the highest sequence wins), at most `recordsMax`. The
/// file holds one `PeerExchangeMessage` (PoUWWire bytes); every record in it is verified again
/// when loaded, so a tampered file only loses records.
public struct PeerBook: Sendable {
    /// Most records kept (and written).
    public static let recordsMax = PeerExchangeMessage.recordsMax

    public let path: String?
    public let chainId: String
    public let localKey: PublicKey
    private var records: [PublicKey: (record: PeerRecord, envelope: SignedEnvelope)] = [:]
    private var isDirty = false

    public init(path: String?, chainId: String, localKey: PublicKey) {
        self.path = path
        self.chainId = chainId
        self.localKey = localKey
    }

    /// Records held.
    public var count: Int { records.count }

    /// The verified records in the file (none when there is no file or it does not decode). They
    /// are not inserted: the caller inserts those it keeps.
    public mutating func load() -> [(PeerRecord, SignedEnvelope)] {
        guard let path, let data = FileManager.default.contents(atPath: path),
              let message = try? PeerExchangeMessage(decoding: [UInt8](data))
        else { return [] }
        var loaded: [(PeerRecord, SignedEnvelope)] = []
        for envelope in message.records {
            guard let record = try? PeerRecord.verified(envelope, chainId: chainId) else { continue }
            loaded.append((record, envelope))
        }
        isDirty = false
        return loaded
    }

    /// Adds or replaces the record of its node. Returns false (nothing changes) for our own node,
    /// an older or equal sequence, or a full book.
    /// - Precondition: `envelope` holds `record`, verified.
    @discardableResult
    public mutating func insert(_ record: PeerRecord, _ envelope: SignedEnvelope) -> Bool {
        guard record.nodeKey != localKey else { return false }
        if let existing = records[record.nodeKey], existing.record.sequence >= record.sequence { return false }
        guard records[record.nodeKey] != nil || records.count < Self.recordsMax else { return false }
        records[record.nodeKey] = (record, envelope)
        isDirty = true
        return true
    }

    /// The envelopes held, newest first, without `peer`'s.
    public func envelopes(excluding peer: PublicKey?) -> [SignedEnvelope] {
        records.values.filter { $0.record.nodeKey != peer }
            .sorted { lhs, rhs in
                (lhs.record.unixMilliseconds, lhs.record.nodeKey) > (rhs.record.unixMilliseconds, rhs.record.nodeKey)
            }
            .map(\.envelope)
    }

    /// Writes the book (atomically) when it changed since the last load or save. A write that
    /// fails leaves the old file; the book stays dirty and is written at the next save.
    public mutating func save() {
        guard let path, isDirty else { return }
        let message = PeerExchangeMessage(records: envelopes(excluding: nil))
        do {
            try Data(message.encoded).write(to: URL(fileURLWithPath: path), options: .atomic)
            isDirty = false
        } catch {
            return
        }
    }
}
