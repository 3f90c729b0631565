/// The tables of the chain state (docs/protocol.md, "Tables"). Values are stored in their wire
/// encoding without the message version byte.
import PoUWStorage
import PoUWConsensus
import PoUWCore
import PoUWWire

/// A value stored as its wire encoding.
struct WireValue<T: WireCodable & Sendable>: StorageValue {
    var value: T

    init(_ value: T) { self.value = value }

    var storageBytes: [UInt8] {
        var encoder = WireEncoder(reservingCapacity: 64)
        value.encode(to: &encoder)
        return encoder.bytes
    }

    init?(storageBytes: [UInt8]) {
        let decoded: T? = storageBytes.withUnsafeBytes { buffer in
            var decoder = WireDecoder(buffer)
            guard let value = try? T(from: &decoder), (try? decoder.finish()) != nil else { return nil }
            return value
        }
        guard let decoded else { return nil }
        value = decoded
    }
}

enum ChainTables {
    // State: everything the state commitment covers, in commitment order.
    static let accounts = Table<PublicKey, WireValue<Account>>("chain.accounts")
    static let bonded = Table<PublicKey, UInt64>("chain.bonded")
    /// Key: release height (u64 big-endian) ‖ sender ‖ the unbond's nonce (u64 big-endian); value: amount.
    static let unbonding = Table<[UInt8], UInt64>("chain.unbonding")
    static let hosts = Table<PublicKey, WireValue<HostInfo>>("chain.hosts")
    /// The current epoch (and, after its last block, the next); older epochs move to `epochHistory`.
    static let epochs = Table<UInt64, WireValue<EpochInfo>>("chain.epochs")
    /// Key: epoch (u64 big-endian) ‖ participant.
    static let sprintCommits = Table<[UInt8], WireValue<SprintCommitRecord>>("chain.sprint-commits")
    /// Key: epoch (u64 big-endian) ‖ participant ‖ verifier; value: one byte, 1 passed, 0 failed.
    static let sprintVerdicts = Table<[UInt8], [UInt8]>("chain.sprint-verdicts")
    /// Key: "parameters".
    static let parameters = Table<String, WireValue<ChainParameters>>("chain.parameters")

    // History and position: not part of the commitment.
    static let epochHistory = Table<UInt64, WireValue<EpochInfo>>("chain.epoch-history")
    static let blocks = Table<UInt64, WireValue<Block>>("chain.blocks")
    static let commits = Table<UInt64, WireValue<CommitCertificate>>("chain.commits")
    static let meta = Table<String, [UInt8]>("chain.meta")

    /// The state tables, in the order the commitment hashes them.
    static let committed: [any TableDeclaration] = [
        accounts, bonded, unbonding, hosts, epochs, sprintCommits, sprintVerdicts, parameters,
    ]

    static let all: [any TableDeclaration] = committed + [epochHistory, blocks, commits, meta]

    enum MetaKey {
        static let genesisHash = "genesis-hash"
        static let height = "height"
        static let headHash = "head-hash"
        static let headTime = "head-time"
        static let stateCommitment = "state-commitment"
    }

    static let parametersKey = "parameters"

    static func unbondingKey(release: UInt64, sender: PublicKey, nonce: UInt64) -> [UInt8] {
        release.storageBytes + sender.bytes + nonce.storageBytes
    }

    static func sprintCommitKey(epoch: UInt64, participant: PublicKey) -> [UInt8] {
        epoch.storageBytes + participant.bytes
    }

    static func verdictKey(epoch: UInt64, participant: PublicKey, verifier: PublicKey) -> [UInt8] {
        epoch.storageBytes + participant.bytes + verifier.bytes
    }
}

/// The smallest key after `key` in byte order (the next page of a scan starts there).
func keySuccessor(_ key: [UInt8]) -> [UInt8] { key + [0] }

extension ReadTransaction {
    /// Every entry of `table`, in key order, read in pages.
    func scanAll<Key, Value>(_ table: Table<Key, Value>, pageSize: Int = 1024) throws -> [(key: Key, value: Value)] {
        var result: [(key: Key, value: Value)] = []
        var start: [UInt8]? = nil
        while true {
            let page = try scanBytes(table: table.name, from: start, direction: .forward, limit: pageSize)
            for entry in page {
                guard let key = Key(storageBytes: entry.key) else {
                    throw StorageError.keyDecodeFailed(table: table.name, byteCount: entry.key.count)
                }
                guard let value = Value(storageBytes: entry.value) else {
                    throw StorageError.valueDecodeFailed(table: table.name, byteCount: entry.value.count)
                }
                result.append((key, value))
            }
            guard page.count == pageSize, let last = page.last else { return result }
            start = keySuccessor(last.key)
        }
    }

    /// The entries of a `[UInt8]`-keyed table whose keys start with `prefix`, in key order.
    func scanPrefix<Value>(_ table: Table<[UInt8], Value>, prefix: [UInt8]) throws -> [(key: [UInt8], value: Value)] {
        var result: [(key: [UInt8], value: Value)] = []
        var start = prefix
        while true {
            let page = try scan(table, from: start, limit: 256)
            for entry in page {
                guard entry.key.starts(with: prefix) else { return result }
                result.append(entry)
            }
            guard page.count == 256, let last = page.last else { return result }
            start = keySuccessor(last.key)
        }
    }
}
