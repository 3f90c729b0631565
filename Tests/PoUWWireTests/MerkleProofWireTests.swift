import PoUWCore
import PoUWWire
import Testing

@Suite struct MerkleProofWireTests {
    @Test("golden bytes: index u64, count u64, sibling count, siblings")
    func golden() throws {
        let expected = hex(
            "01", "0500000000000000", "0600000000000000",
            "03", repeated("aa", 32), repeated("bb", 32), repeated("cc", 32)
        )
        #expect(Wire.encode(Samples.merkleProof) == expected)
        #expect(try Wire.decode(MerkleProof.self, from: expected) == Samples.merkleProof)
    }

    @Test("edge proofs round-trip: empty tree, single leaf, 2^64-1 leaves with 64 siblings")
    func roundTrip() throws {
        let deepest = (0..<64).map { Samples.hash(UInt8($0)) }
        let proofs = [
            MerkleProof(leafIndex: 0, leafCount: 0, siblings: []),
            MerkleProof(leafIndex: 0, leafCount: 1, siblings: []),
            MerkleProof(leafIndex: 1, leafCount: 2, siblings: [Samples.hash(1)]),
            MerkleProof(leafIndex: 4, leafCount: 5, siblings: [Samples.hash(1)]),
            MerkleProof(leafIndex: .max - 1, leafCount: .max, siblings: deepest),
        ]
        for proof in proofs {
            #expect(try Wire.decode(MerkleProof.self, from: Wire.encode(proof)) == proof)
        }
    }

    @Test(
        "a leaf index outside the tree is invalidValue",
        arguments: [(UInt64(5), UInt64(5)), (6, 5), (.max, 1), (1, 0)]
    )
    func indexOutsideTree(leafIndex: UInt64, leafCount: UInt64) {
        let bytes = encoded {
            $0.writeUInt8(Version.wire)
            $0.writeUInt64(leafIndex)
            $0.writeUInt64(leafCount)
            $0.writeVarint(0)
        }
        guard case .invalidValue(field: "MerkleProof", _) = decodeError(MerkleProof.self, bytes) else {
            Issue.record("index \(leafIndex) of \(leafCount) was not rejected as invalidValue")
            return
        }
    }

    @Test("more siblings than the tree has levels is invalidValue")
    func tooManySiblingsForHeight() {
        let cases: [(UInt64, Int)] = [(0, 1), (1, 1), (2, 2), (4, 3), (5, 4)]
        for (leafCount, siblingCount) in cases {
            let bytes = Self.proofBytes(leafCount: leafCount, siblingCount: siblingCount)
            guard case .invalidValue(field: "MerkleProof", _) = decodeError(MerkleProof.self, bytes) else {
                Issue.record("\(siblingCount) siblings for \(leafCount) leaves were not rejected")
                continue
            }
        }
    }

    @Test("65 siblings exceed merkleProofDepthMax")
    func siblingLimit() {
        let bytes = Self.proofBytes(leafCount: .max, siblingCount: 65)
        #expect(decodeError(MerkleProof.self, bytes)
            == .lengthExceeded(field: "MerkleProof.siblings", max: Limits.merkleProofDepthMax, actual: 65))
    }

    @Test("a sibling count the input cannot hold is truncated before anything is reserved")
    func siblingCountBeyondInput() {
        var bytes = Self.proofBytes(leafCount: 8, siblingCount: 3)
        bytes.removeLast(64)
        #expect(decodeError(MerkleProof.self, bytes) == .truncated(needed: 96, remaining: 32))
    }

    @Test("encoding a proof whose leaf is outside the tree is a programmer error")
    func encodeInvalidTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = Wire.encode(MerkleProof(leafIndex: 3, leafCount: 3, siblings: []))
        }
    }

    /// A proof for leaf 0 of `leafCount` leaves with `siblingCount` siblings, written field by field.
    static func proofBytes(leafCount: UInt64, siblingCount: Int) -> [UInt8] {
        encoded {
            $0.writeUInt8(Version.wire)
            $0.writeUInt64(0)
            $0.writeUInt64(leafCount)
            $0.writeVarint(UInt64(siblingCount))
            for index in 0..<siblingCount { $0.write(Samples.hash(UInt8(index))) }
        }
    }
}
