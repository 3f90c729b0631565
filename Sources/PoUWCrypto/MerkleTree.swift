/// Binary Merkle tree over BLAKE2b-256.
///
/// Construction (H = BLAKE2b-256, `||` = concatenation):
///
///     leaf hash  = H(0x00 || leaf data)
///     inner node = H(0x01 || left child || right child)
///     empty root = H(0x02)                       (the root of a tree with no leaves)
///
/// Level 0 holds the leaf hashes in order. Each next level pairs neighbours (0,1), (2,3), ...;
/// when a level has an odd count, its last node has no partner and is PROMOTED unchanged to the
/// next level. Nothing is ever duplicated, so no two different leaf lists share a root by
/// repeating a trailing leaf (Bitcoin's CVE-2012-2459). The root is the single node of the top
/// level; a one-leaf tree's root is that leaf's hash. The shape equals RFC 6962's (the left
/// subtree of every node is a complete tree of the largest power of two below the count).
///
/// The distinct prefixes keep the three kinds of hash apart: leaf data can never be presented as
/// an inner node (second preimage), nor an inner node as a leaf.
///
/// A proof (`MerkleProof`) lists the siblings met on the way from the leaf to the root, lowest
/// level first; a level where the node was promoted contributes no sibling. The number of siblings
/// is therefore a function of (leafIndex, leafCount), and verification insists on exactly it.
///
/// The root does NOT commit to the leaf count: a proof for leaf 0 of a 4-leaf tree also verifies
/// as leaf 0 of 3 (same siblings, same hashing order). Take `leafCount` from a trusted place (the
/// header that carries the root and the count), never from the proof's sender alone.
public import PoUWCore

public struct MerkleTree: Sendable {
    /// The root of the tree with no leaves: H(0x02).
    public static let emptyRoot = Blake2b256.hash([0x02])

    private static let leafPrefix: UInt8 = 0x00
    private static let nodePrefix: UInt8 = 0x01

    /// levels[0] = leaf hashes, levels.last = [root]; empty for the empty tree.
    private let levels: [[Hash32]]

    /// The tree over the leaf hashes of `leaves` (each leaf is hashed with the leaf prefix).
    public init(leaves: [[UInt8]]) {
        self.init(leafHashes: leaves.map(MerkleTree.leafHash))
    }

    /// The tree over leaf hashes already computed with `MerkleTree.leafHash(_:)`.
    public init(leafHashes: [Hash32]) {
        var levels = [[Hash32]]()
        var level = leafHashes
        while !level.isEmpty {
            levels.append(level)
            if level.count == 1 { break }
            level = MerkleTree.parentLevel(of: level)
        }
        self.levels = levels
    }

    public var leafCount: Int { levels.first?.count ?? 0 }

    public var root: Hash32 { levels.last?[0] ?? MerkleTree.emptyRoot }

    /// The inclusion proof of leaf `index`.
    /// - Precondition: `index < leafCount`.
    public func proof(index: Int) -> MerkleProof {
        precondition(index >= 0 && index < leafCount, "leaf \(index) outside a tree of \(leafCount) leaves")
        var siblings = [Hash32]()
        var position = index
        for level in levels.dropLast() {
            let partner = position ^ 1
            if partner < level.count { siblings.append(level[partner]) }
            position /= 2
        }
        return MerkleProof(leafIndex: UInt64(index), leafCount: UInt64(leafCount), siblings: siblings)
    }

    /// H(0x00 || data).
    public static func leafHash(_ data: some Collection<UInt8>) -> Hash32 {
        var hasher = Blake2b256.Hasher()
        hasher.update(CollectionOfOne(leafPrefix))
        hasher.update(data)
        return hasher.finalize()
    }

    /// H(0x01 || left || right).
    public static func nodeHash(_ left: Hash32, _ right: Hash32) -> Hash32 {
        var hasher = Blake2b256.Hasher()
        hasher.update(CollectionOfOne(nodePrefix))
        hasher.update(left.bytes)
        hasher.update(right.bytes)
        return hasher.finalize()
    }

    /// Whether `proof` shows that a leaf with data `leafData` is in the tree with root `root`.
    public static func verify(_ proof: MerkleProof, leafData: some Collection<UInt8>, root: Hash32) -> Bool {
        verify(proof, leafHash: leafHash(leafData), root: root)
    }

    /// Whether `proof` shows that a leaf with hash `leafHash` (from `MerkleTree.leafHash(_:)`, never an
    /// inner node) is in the tree with root `root`. False when `leafIndex >= leafCount`, when the
    /// proof has more or fewer siblings than that position needs, or when the hashes do not lead
    /// to `root`. `proof.leafCount` must be the trusted count (see the construction above).
    public static func verify(_ proof: MerkleProof, leafHash: Hash32, root: Hash32) -> Bool {
        guard proof.leafIndex < proof.leafCount, proof.siblings.count <= Limits.merkleProofDepthMax else {
            return false
        }
        var node = leafHash
        var position = proof.leafIndex
        var count = proof.leafCount
        var used = 0
        while count > 1 {
            let partner = position ^ 1
            if partner < count {
                guard used < proof.siblings.count else { return false }
                let sibling = proof.siblings[used]
                used += 1
                node = position & 1 == 0 ? nodeHash(node, sibling) : nodeHash(sibling, node)
            }
            position /= 2
            count = count / 2 + count % 2
        }
        return used == proof.siblings.count && node == root
    }

    private static func parentLevel(of level: [Hash32]) -> [Hash32] {
        var parents = [Hash32]()
        parents.reserveCapacity(level.count / 2 + 1)
        var index = 0
        while index + 1 < level.count {
            parents.append(nodeHash(level[index], level[index + 1]))
            index += 2
        }
        if index < level.count { parents.append(level[index]) }
        return parents
    }
}
