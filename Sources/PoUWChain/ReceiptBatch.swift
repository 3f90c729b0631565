/// A host's batch of receipts and the `BatchCommitment` its next precommit attests
/// (docs/protocol.md, attestations).
public import PoUWConsensus
public import PoUWCore
import PoUWCrypto

/// The receipts a host served (or verified) since its previous attestation, in the order it commits
/// them. The commitment's root is `MerkleTree` over the receipt ids (leaf data = the 32 id bytes, so a
/// leaf hash is BLAKE2b-256(0x00 ‖ id)); an empty batch is `BatchCommitment.empty` (root zero, not
/// `MerkleTree.emptyRoot`), so a voter with no work attests exactly as before the market existed.
public struct ReceiptBatch: Sendable {
    /// The receipt ids, in commitment order.
    public let receiptIds: [Hash32]
    /// What the host's next precommit carries as its attestation.
    public let commitment: BatchCommitment
    private let tree: MerkleTree

    /// The batch of `receipts`, in the given order. Signatures are not checked here: verify each
    /// receipt (`SignedReceipt.verify(chainId:)`) before it joins a batch.
    /// - Throws: `.duplicateReceipt` when one id appears twice; `.overflow` when a token total exceeds
    ///   `UInt64.max`.
    public init(_ receipts: [SignedReceipt]) throws(ReceiptError) {
        try self.init(receipts: receipts.map(\.receipt))
    }

    /// The batch of unsigned receipt bodies, in the given order (see `init(_:)`).
    public init(receipts: [InferenceReceipt]) throws(ReceiptError) {
        var ids = [Hash32]()
        ids.reserveCapacity(receipts.count)
        var seen = Set<Hash32>()
        var promptTokens: UInt64 = 0
        var completionTokens: UInt64 = 0
        for receipt in receipts {
            let id = receipt.id
            guard seen.insert(id).inserted else { throw .duplicateReceipt(id) }
            ids.append(id)
            promptTokens = try Self.add(promptTokens, receipt.promptTokens, "batch prompt tokens")
            completionTokens = try Self.add(completionTokens, receipt.completionTokens, "batch completion tokens")
        }
        let tree = MerkleTree(leafHashes: ids.map { MerkleTree.leafHash($0.bytes) })
        self.receiptIds = ids
        self.tree = tree
        self.commitment = ids.isEmpty ? .empty : BatchCommitment(
            root: tree.root, receiptCount: UInt64(ids.count), promptTokens: promptTokens,
            completionTokens: completionTokens
        )
    }

    /// The inclusion proof of the receipt at `index`.
    /// - Precondition: `index < receiptIds.count`.
    public func inclusionProof(index: Int) -> MerkleProof { tree.proof(index: index) }

    /// The inclusion proof of the receipt with id `id`, or `nil` when the batch does not hold it.
    public func inclusionProof(of id: Hash32) -> MerkleProof? {
        receiptIds.firstIndex(of: id).map { tree.proof(index: $0) }
    }

    /// Whether `proof` shows that receipt `id` is in the batch `commitment` attests: the proof's leaf
    /// count must be the attested `receiptCount` (the trusted count) and the id must hash up to the root.
    public static func verifyInclusion(
        _ proof: MerkleProof, receiptId id: Hash32, in commitment: BatchCommitment
    ) -> Bool {
        guard commitment.receiptCount > 0, proof.leafCount == commitment.receiptCount else { return false }
        return MerkleTree.verify(proof, leafData: id.bytes, root: commitment.root)
    }

    private static func add(_ total: UInt64, _ value: UInt32, _ what: String) throws(ReceiptError) -> UInt64 {
        let (sum, overflow) = total.addingReportingOverflow(UInt64(value))
        guard !overflow else { throw .overflow(what) }
        return sum
    }
}
