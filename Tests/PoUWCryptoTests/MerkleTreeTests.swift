import PoUWCore
import PoUWCrypto
import Testing

/// Leaf data for tests: "leaf-0", "leaf-1", ...
func merkleLeaves(_ count: Int) -> [[UInt8]] {
    (0..<count).map { Array("leaf-\($0)".utf8) }
}

/// An independent definition of the root: RFC 6962's recursive split at the largest power of two
/// below the count, with the same prefixes, written straight on BLAKE2b-256.
func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> Hash32 {
    switch leaves.count {
    case 0: return Blake2b256.hash([0x02])
    case 1: return Blake2b256.hash([0x00] + leaves.first!)
    default:
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        let left = referenceRoot(leaves.prefix(split))
        let right = referenceRoot(leaves.dropFirst(split))
        return Blake2b256.hash([0x01] + left.bytes + right.bytes)
    }
}

let merkleCounts = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17]

@Suite("MerkleTree")
struct MerkleTreeTests {
    @Test("the root equals the recursive reference definition", arguments: merkleCounts)
    func root(count: Int) {
        let leaves = merkleLeaves(count)
        let tree = MerkleTree(leaves: leaves)
        #expect(tree.leafCount == count)
        #expect(tree.root == referenceRoot(leaves[...]))
        #expect(MerkleTree(leafHashes: leaves.map(MerkleTree.leafHash)).root == tree.root)
    }

    @Test("known answers computed with Python's hashlib: empty root, leaf hash, root of a, b, c")
    func knownAnswers() {
        #expect(MerkleTree.emptyRoot.description == "bb30a42c1e62f0afda5f0a4e8a562f7a13a24cea00ee81917b86b89e801314aa")
        #expect(MerkleTree(leaves: []).root == MerkleTree.emptyRoot)
        #expect(MerkleTree.leafHash(Array("a".utf8)).description
            == "7234082e1dd0b5ec0acd71875d61c9f374af30c100bc4de7aa4eb3f15bbed686")
        let abc = MerkleTree(leaves: [Array("a".utf8), Array("b".utf8), Array("c".utf8)])
        #expect(abc.root.description == "17321db51c1ef3ec1f77e271aa300b4e5c6091708bcba37e46025774a26142ee")
    }

    @Test("every proof of every leaf verifies against the root", arguments: merkleCounts.filter { $0 > 0 })
    func everyProofVerifies(count: Int) {
        let leaves = merkleLeaves(count)
        let tree = MerkleTree(leaves: leaves)
        for index in 0..<count {
            let proof = tree.proof(index: index)
            #expect(proof.leafIndex == UInt64(index))
            #expect(proof.leafCount == UInt64(count))
            #expect(MerkleTree.verify(proof, leafData: leaves[index], root: tree.root), "leaf \(index)")
            #expect(MerkleTree.verify(proof, leafHash: MerkleTree.leafHash(leaves[index]), root: tree.root))
        }
    }

    @Test("proofs of a 3-leaf tree match a hand computation")
    func threeLeaves() {
        let leaves = merkleLeaves(3)
        let l0 = Blake2b256.hash([0x00] + leaves[0])
        let l1 = Blake2b256.hash([0x00] + leaves[1])
        let l2 = Blake2b256.hash([0x00] + leaves[2])
        let n01 = Blake2b256.hash([0x01] + l0.bytes + l1.bytes)
        let root = Blake2b256.hash([0x01] + n01.bytes + l2.bytes)
        let tree = MerkleTree(leaves: leaves)
        #expect(tree.root == root)
        #expect(tree.proof(index: 0).siblings == [l1, l2])
        #expect(tree.proof(index: 1).siblings == [l0, l2])
        #expect(tree.proof(index: 2).siblings == [n01])
    }

    @Test("a promoted node contributes no sibling: leaf 4 of 5 has one, leaf 0 of 5 three")
    func siblingCounts() {
        let tree = MerkleTree(leaves: merkleLeaves(5))
        #expect(tree.proof(index: 4).siblings.count == 1)
        #expect(tree.proof(index: 0).siblings.count == 3)
        #expect(MerkleTree(leaves: merkleLeaves(1)).proof(index: 0).siblings.isEmpty)
    }

    @Test("a proof with any sibling bit flipped fails", arguments: [2, 5, 9, 17])
    func tamperedSibling(count: Int) {
        let leaves = merkleLeaves(count)
        let tree = MerkleTree(leaves: leaves)
        for index in 0..<count {
            let proof = tree.proof(index: index)
            for position in proof.siblings.indices {
                var tampered = proof
                tampered.siblings[position] = Hash32(flippingBit(position * 9 + 1, of: proof.siblings[position].bytes))
                #expect(!MerkleTree.verify(tampered, leafData: leaves[index], root: tree.root))
            }
        }
    }

    @Test("a proof fails for other leaf data, another index, or another root")
    func wrongClaims() {
        let leaves = merkleLeaves(9)
        let tree = MerkleTree(leaves: leaves)
        for index in 0..<9 {
            let proof = tree.proof(index: index)
            #expect(!MerkleTree.verify(proof, leafData: leaves[(index + 1) % 9], root: tree.root))
            for other in 0..<9 where other != index {
                var moved = proof
                moved.leafIndex = UInt64(other)
                #expect(!MerkleTree.verify(moved, leafData: leaves[index], root: tree.root), "\(index) as \(other)")
            }
            #expect(!MerkleTree.verify(proof, leafData: leaves[index], root: MerkleTree(leaves: merkleLeaves(8)).root))
        }
    }

    @Test("a proof with an index at or past the count, or with too many or too few siblings, fails")
    func malformedProofs() {
        let leaves = merkleLeaves(5)
        let tree = MerkleTree(leaves: leaves)
        let proof = tree.proof(index: 4)
        for badIndex: UInt64 in [5, 6, UInt64.max] {
            var outside = proof
            outside.leafIndex = badIndex
            #expect(!MerkleTree.verify(outside, leafData: leaves[4], root: tree.root))
        }
        var extra = proof
        extra.siblings.append(tree.root)
        #expect(!MerkleTree.verify(extra, leafData: leaves[4], root: tree.root))
        var short = tree.proof(index: 0)
        short.siblings.removeLast()
        #expect(!MerkleTree.verify(short, leafData: leaves[0], root: tree.root))
        // Leaf 4 of 5 needs one sibling; claiming 8 leaves would need three.
        var recounted = proof
        recounted.leafCount = 8
        #expect(!MerkleTree.verify(recounted, leafData: leaves[4], root: tree.root))
        let empty = MerkleProof(leafIndex: 0, leafCount: 0, siblings: [])
        #expect(!MerkleTree.verify(empty, leafData: [UInt8](), root: MerkleTree.emptyRoot))
    }

    @Test("an inner node cannot pass as a leaf: its two children as leaf data do not verify (second preimage)")
    func secondPreimage() {
        let leaves = merkleLeaves(4)
        let tree = MerkleTree(leaves: leaves)
        let l0 = MerkleTree.leafHash(leaves[0]), l1 = MerkleTree.leafHash(leaves[1])
        let l2 = MerkleTree.leafHash(leaves[2]), l3 = MerkleTree.leafHash(leaves[3])
        let n23 = MerkleTree.nodeHash(l2, l3)
        // Pretend the tree had two leaves whose data are the children of the two inner nodes.
        let forged = MerkleProof(leafIndex: 0, leafCount: 2, siblings: [n23])
        #expect(!MerkleTree.verify(forged, leafData: l0.bytes + l1.bytes, root: tree.root))
        #expect(MerkleTree.leafHash(l0.bytes + l1.bytes) != MerkleTree.nodeHash(l0, l1))
    }

    @Test("duplicating the last leaf changes the root (no CVE-2012-2459 malleability)", arguments: [1, 3, 5, 9])
    func noDuplication(count: Int) {
        let leaves = merkleLeaves(count)
        #expect(MerkleTree(leaves: leaves).root != MerkleTree(leaves: leaves + [leaves[count - 1]]).root)
    }

    @Test("the root does not commit to the count: leaf 0 of 4 also verifies as leaf 0 of 3 (documented)")
    func countNotCommitted() {
        let leaves = merkleLeaves(4)
        let tree = MerkleTree(leaves: leaves)
        var proof = tree.proof(index: 0)
        proof.leafCount = 3
        #expect(MerkleTree.verify(proof, leafData: leaves[0], root: tree.root))
    }
}
