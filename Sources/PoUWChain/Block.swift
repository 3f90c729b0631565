/// Blocks: a header that commits to everything, the transactions, and the certificate that made the
/// previous block final.
public import PoUWConsensus
public import PoUWCore
import PoUWCrypto
public import PoUWWire

/// The header of the block at `height`. Its hash identifies the block (votes and proposals name it).
///
/// - `stateCommitment`: the state AFTER executing this block (docs/protocol.md, "Commitment").
/// - `transactionsRoot`: `MerkleTree` root over the transaction ids, in block order.
/// - `receiptsRoot`: zero until the inference market exists.
/// - `lastCommitHash`: BLAKE2b-256 of `Wire.encode(lastCommit)`, zero at height 1.
public struct BlockHeader: Hashable, Sendable {
    public var chainId: String
    public var height: UInt64
    public var timeMilliseconds: UInt64
    public var previousHash: Hash32
    public var proposer: PublicKey
    public var epoch: UInt64
    public var stateCommitment: Hash32
    public var transactionsRoot: Hash32
    public var receiptsRoot: Hash32
    public var lastCommitHash: Hash32

    public init(
        chainId: String, height: UInt64, timeMilliseconds: UInt64, previousHash: Hash32, proposer: PublicKey,
        epoch: UInt64, stateCommitment: Hash32, transactionsRoot: Hash32, receiptsRoot: Hash32,
        lastCommitHash: Hash32
    ) {
        self.chainId = chainId
        self.height = height
        self.timeMilliseconds = timeMilliseconds
        self.previousHash = previousHash
        self.proposer = proposer
        self.epoch = epoch
        self.stateCommitment = stateCommitment
        self.transactionsRoot = transactionsRoot
        self.receiptsRoot = receiptsRoot
        self.lastCommitHash = lastCommitHash
    }

    /// The block id: BLAKE2b-256 of the message bytes `Wire.encode(self)`.
    public var hash: Hash32 { Blake2b256.hash(Wire.encode(self)) }
}

/// A block. `lastCommit` is the certificate of the block at `height - 1`; it is `nil` only at height 1.
public struct Block: Hashable, Sendable {
    public var header: BlockHeader
    public var transactions: [SignedTransaction]
    public var lastCommit: CommitCertificate?

    public init(header: BlockHeader, transactions: [SignedTransaction], lastCommit: CommitCertificate?) {
        self.header = header
        self.transactions = transactions
        self.lastCommit = lastCommit
    }

    /// The header's hash.
    public var hash: Hash32 { header.hash }

    /// The size of `Wire.encode(self)`, in bytes.
    public var encodedByteCount: Int {
        var encoder = WireEncoder(reservingCapacity: 1024)
        encode(to: &encoder)
        return encoder.bytes.count + 1
    }

    /// The Merkle root over the ids of `transactions`, in order (`MerkleTree.emptyRoot` for none).
    public static func transactionsRoot(_ transactions: [SignedTransaction]) -> Hash32 {
        MerkleTree(leaves: transactions.map { $0.id.bytes }).root
    }

    /// BLAKE2b-256 of `Wire.encode(commit)`, or zero for `nil`.
    public static func lastCommitHash(_ commit: CommitCertificate?) -> Hash32 {
        guard let commit else { return .zero }
        return Blake2b256.hash(Wire.encode(commit))
    }
}

// MARK: - Wire

extension BlockHeader: WireCodable {
    public static var encodedBytesMin: Int { 1 + 8 + 8 + 32 + 32 + 8 + 4 * 32 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeString(chainId, field: "BlockHeader.chainId", max: ChainLimits.chainIdBytesMax)
        encoder.writeUInt64(height)
        encoder.writeUInt64(timeMilliseconds)
        encoder.write(previousHash)
        encoder.write(proposer)
        encoder.writeUInt64(epoch)
        encoder.write(stateCommitment)
        encoder.write(transactionsRoot)
        encoder.write(receiptsRoot)
        encoder.write(lastCommitHash)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        chainId = try decoder.readString(field: "BlockHeader.chainId", max: ChainLimits.chainIdBytesMax)
        height = try decoder.readUInt64()
        timeMilliseconds = try decoder.readUInt64()
        previousHash = try decoder.read(Hash32.self)
        proposer = try decoder.read(PublicKey.self)
        epoch = try decoder.readUInt64()
        stateCommitment = try decoder.read(Hash32.self)
        transactionsRoot = try decoder.read(Hash32.self)
        receiptsRoot = try decoder.read(Hash32.self)
        lastCommitHash = try decoder.read(Hash32.self)
    }
}

extension Block: WireCodable {
    public static var encodedBytesMin: Int { BlockHeader.encodedBytesMin + 1 + 1 }

    /// - Precondition: at most `ChainLimits.transactionsPerBlockMax` transactions.
    public func encode(to encoder: inout WireEncoder) {
        encoder.write(header)
        encoder.writeArray(transactions, field: "Block.transactions", max: ChainLimits.transactionsPerBlockMax)
        encoder.writeOptional(lastCommit)
    }

    /// Reads a block; refuses one whose encoding exceeds `ChainLimits.blockBytesMax`.
    public init(from decoder: inout WireDecoder) throws(WireError) {
        let start = decoder.offset
        header = try decoder.read(BlockHeader.self)
        transactions = try decoder.readArray(
            of: SignedTransaction.self, field: "Block.transactions", max: ChainLimits.transactionsPerBlockMax
        )
        lastCommit = try decoder.readOptional(CommitCertificate.self, field: "Block.lastCommit")
        let byteCount = decoder.offset - start + 1
        guard byteCount <= ChainLimits.blockBytesMax else {
            throw .lengthExceeded(field: "Block", max: ChainLimits.blockBytesMax, actual: UInt64(byteCount))
        }
    }
}
