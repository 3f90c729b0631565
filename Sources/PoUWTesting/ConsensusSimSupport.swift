public import PoUWConsensus
public import PoUWCore
public import PoUWWire

/// A cheap deterministic 256-bit digest for the consensus simulator: four 64-bit lanes fed 8 bytes at a
/// time through SplitMix64's mixer. Spreads well and never collides in practice on simulator inputs;
/// it is not cryptographic and must never leave PoUWTesting.
public enum SimHash {
    public static func digest(_ bytes: [UInt8], domain: UInt8 = 0) -> Hash32 {
        var lanes: [UInt64] = [
            0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89,
        ]
        for lane in lanes.indices { lanes[lane] ^= UInt64(domain) &* 0x9E37_79B9_7F4A_7C15 }
        var offset = 0
        while offset < bytes.count {
            var word: UInt64 = 0
            for shift in 0..<min(8, bytes.count - offset) { word |= UInt64(bytes[offset + shift]) << (8 * shift) }
            for lane in lanes.indices {
                lanes[lane] = mix((lanes[lane] ^ word) &+ UInt64(lane) &* 0xD6E8_FEB8_6659_FD93)
            }
            offset += 8
        }
        var out: [UInt8] = []
        out.reserveCapacity(Hash32.byteCount)
        for lane in lanes.indices {
            let final = mix((lanes[lane] ^ lanes[(lane + 1) % 4]) &+ UInt64(bytes.count))
            for shift in 0..<8 { out.append(UInt8(truncatingIfNeeded: final >> (8 * shift))) }
        }
        return Hash32(out)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The simulator's stand-in for Ed25519: a signature is a deterministic tag of (signer key, domain,
/// payload) that anyone can recompute, so the simulated driver can check it. Forgery is trivial; the
/// simulator's byzantine nodes do not forge.
public struct SimSigner: ConsensusSigner, Sendable {
    public let publicKey: PublicKey

    public init(publicKey: PublicKey) { self.publicKey = publicKey }

    public func sign(_ proposal: Proposal) -> Signature {
        SimSigner.tag(signer: publicKey, domain: 1, payload: proposal.signingPayload)
    }

    public func sign(_ vote: Vote) -> Signature {
        SimSigner.tag(signer: publicKey, domain: 2, payload: vote.signingPayload)
    }

    public static func verify(_ proposal: Proposal) -> Bool {
        proposal.signature == tag(signer: proposal.proposer, domain: 1, payload: proposal.signingPayload)
    }

    public static func verify(_ vote: Vote) -> Bool {
        vote.signature == tag(signer: vote.voter, domain: 2, payload: vote.signingPayload)
    }

    static func tag(signer: PublicKey, domain: UInt8, payload: [UInt8]) -> Signature {
        let input = signer.bytes + payload
        let low = SimHash.digest(input, domain: domain)
        let high = SimHash.digest(input, domain: domain | 0x80)
        return Signature(low.bytes + high.bytes)
    }
}

/// The simulator's block: the height, the round and validator it was built for, and which node instance
/// built it (twins build different blocks). Its id is the `SimHash` of its encoding.
public struct SimBlock: Hashable, Sendable, WireCodable {
    public var height: UInt64
    public var round: UInt32
    public var proposer: PublicKey
    public var builder: UInt64

    public init(height: UInt64, round: UInt32, proposer: PublicKey, builder: UInt64) {
        self.height = height
        self.round = round
        self.proposer = proposer
        self.builder = builder
    }

    public var hash: Hash32 { SimHash.digest(Wire.encode(self), domain: 3) }

    public static var encodedBytesMin: Int { 8 + 4 + 32 + 8 }

    public func encode(to encoder: inout WireEncoder) {
        encoder.writeUInt64(height)
        encoder.writeUInt32(round)
        encoder.write(proposer)
        encoder.writeUInt64(builder)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        height = try decoder.readUInt64()
        round = try decoder.readUInt32()
        proposer = try decoder.read(PublicKey.self)
        builder = try decoder.readUInt64()
    }
}

/// The frames simulated consensus nodes exchange.
enum ConsensusSimMessage: WireCodable {
    /// A proposal with its block.
    case proposal(Proposal, SimBlock)
    case vote(Vote)
    /// The sender works on `height` (pulls certificates from peers that are ahead).
    case status(height: UInt64)
    /// A committed block and its certificate (catch-up).
    case commit(CommitCertificate, SimBlock)
    /// Asks for the block with this hash (a node decided before it saw the proposal).
    case blockRequest(Hash32)
    case block(SimBlock)

    static var encodedBytesMin: Int { 1 }

    func encode(to encoder: inout WireEncoder) {
        switch self {
        case let .proposal(proposal, block):
            encoder.writeUInt8(1)
            encoder.write(proposal)
            encoder.write(block)
        case .vote(let vote):
            encoder.writeUInt8(2)
            encoder.write(vote)
        case .status(let height):
            encoder.writeUInt8(3)
            encoder.writeUInt64(height)
        case let .commit(certificate, block):
            encoder.writeUInt8(4)
            encoder.write(certificate)
            encoder.write(block)
        case .blockRequest(let hash):
            encoder.writeUInt8(5)
            encoder.write(hash)
        case .block(let block):
            encoder.writeUInt8(6)
            encoder.write(block)
        }
    }

    init(from decoder: inout WireDecoder) throws(WireError) {
        let tag = try decoder.readUInt8()
        switch tag {
        case 1: self = .proposal(try decoder.read(Proposal.self), try decoder.read(SimBlock.self))
        case 2: self = .vote(try decoder.read(Vote.self))
        case 3: self = .status(height: try decoder.readUInt64())
        case 4: self = .commit(try decoder.read(CommitCertificate.self), try decoder.read(SimBlock.self))
        case 5: self = .blockRequest(try decoder.read(Hash32.self))
        case 6: self = .block(try decoder.read(SimBlock.self))
        default: throw .invalidEnum(type: "ConsensusSimMessage", raw: UInt64(tag))
        }
    }
}
