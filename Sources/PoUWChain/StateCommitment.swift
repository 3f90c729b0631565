/// The state commitment: one hash over the complete chain state after a block.
///
///     commitment = BLAKE2b-256( "pouw/state/v1" ‖ genesis hash ‖ u64 height ‖
///                               for each state table, in `ChainTables.committed` order:
///                                   string name ‖ varint entry count ‖
///                                   for each entry in key order: bytes key ‖ bytes value )
///
/// (`string` and `bytes` are the wire encodings: a varint length, then the bytes.) It is a full
/// traversal, O(size of the state) per block: simple, obviously deterministic, and cheap while the
/// state is small (docs/protocol.md gives the measured cost). A Merkleised state can replace it
/// when light clients need proofs, without changing any other rule.
import PoUWCore
import PoUWCrypto
import PoUWStorage
import PoUWWire

enum StateCommitment {
    static let tag = Array("pouw/state/v1".utf8)
    static let pageSize = 1024

    /// The commitment of the state `tx` sees, at `height`, for the chain of `genesisHash`.
    static func compute(in tx: any ReadTransaction, genesisHash: Hash32, height: UInt64) throws -> Hash32 {
        var hasher = Blake2b256.Hasher()
        var prefix = WireEncoder(reservingCapacity: 64)
        prefix.writeFixedBytes(tag, count: tag.count)
        prefix.write(genesisHash)
        prefix.writeUInt64(height)
        hasher.update(prefix.bytes)
        for table in ChainTables.committed {
            var header = WireEncoder(reservingCapacity: 48)
            header.writeString(table.name, field: "table", max: StorageLimits.tableNameBytesMax)
            header.writeVarint(UInt64(try tx.countEntries(table: table.name)))
            hasher.update(header.bytes)
            var start: [UInt8]? = nil
            while true {
                let page = try tx.scanBytes(table: table.name, from: start, direction: .forward, limit: pageSize)
                var encoder = WireEncoder(reservingCapacity: page.count * 64)
                for entry in page {
                    encoder.writeBytes(entry.key, field: "key", max: StorageLimits.keyBytesMax)
                    encoder.writeBytes(entry.value, field: "value", max: Int.max)
                }
                hasher.update(encoder.bytes)
                guard page.count == pageSize, let last = page.last else { break }
                start = keySuccessor(last.key)
            }
        }
        return hasher.finalize()
    }
}
