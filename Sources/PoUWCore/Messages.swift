/// Protocol value types shared by every layer. Encoded by PoUWWire, signed and verified by
/// PoUWCrypto. Plain data: no behaviour that needs IO, a clock or randomness.

/// What a signed message is; part of the signed bytes (domain separation), so a signature made for
/// one kind can never be replayed as another.
public enum MessageKind: UInt16, Sendable, CaseIterable {
    case transaction = 1
    case proposal = 2
    case vote = 3
    case peerRecord = 4
    case receipt = 5
    case verdict = 6
    case sprintCommit = 7
    case handshake = 8
}

/// An inclusion proof for one leaf of a binary Merkle tree (the construction is PoUWCrypto's
/// `MerkleTree`): the leaf's index, the tree's leaf count, and the sibling hashes from the leaf
/// level upwards. Levels where the node has no sibling (odd counts) contribute no hash.
public struct MerkleProof: Hashable, Sendable {
    public var leafIndex: UInt64
    public var leafCount: UInt64
    public var siblings: [Hash32]

    public init(leafIndex: UInt64, leafCount: UInt64, siblings: [Hash32]) {
        self.leafIndex = leafIndex
        self.leafCount = leafCount
        self.siblings = siblings
    }
}

/// A payload signed by one identity for one chain. The signature covers
/// (chain id, kind, payload) as laid out by PoUWCrypto's domain-separated signing.
public struct SignedEnvelope: Hashable, Sendable {
    public var chainId: String
    public var kind: MessageKind
    public var payload: [UInt8]
    public var signer: PublicKey
    public var signature: Signature

    public init(chainId: String, kind: MessageKind, payload: [UInt8], signer: PublicKey, signature: Signature) {
        self.chainId = chainId
        self.kind = kind
        self.payload = payload
        self.signer = signer
        self.signature = signature
    }
}

/// A node's self-signed statement of where it can be reached (peer exchange). A higher `sequence`
/// replaces a lower one from the same node.
public struct PeerRecord: Hashable, Sendable {
    public var nodeKey: PublicKey
    public var addresses: [String]
    public var sequence: UInt64
    public var unixMilliseconds: UInt64

    public init(nodeKey: PublicKey, addresses: [String], sequence: UInt64, unixMilliseconds: UInt64) {
        self.nodeKey = nodeKey
        self.addresses = addresses
        self.sequence = sequence
        self.unixMilliseconds = unixMilliseconds
    }
}
