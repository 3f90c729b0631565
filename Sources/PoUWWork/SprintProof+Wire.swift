/// Wire encoding of `SprintProof`:
///
///     SprintProof   nonce u64, artifactHash Hash32, merkle MerkleProof
///
/// Decoding also requires `merkle.leafIndex == nonce` (a proof of another leaf is malformed, not merely
/// wrong). `leafCount` is carried but verifiers compare it with the committed count.
import PoUWCore
public import PoUWWire

extension SprintProof: WireCodable {
    public static var encodedBytesMin: Int { 8 + Hash32.byteCount + MerkleProof.encodedBytesMin }

    /// - Precondition: `merkle.leafIndex == nonce` (what the decoder requires).
    public func encode(to encoder: inout WireEncoder) {
        precondition(merkle.leafIndex == nonce, "SprintProof of nonce \(nonce) carries leaf \(merkle.leafIndex)")
        encoder.writeUInt64(nonce)
        encoder.write(artifactHash)
        encoder.write(merkle)
    }

    public init(from decoder: inout WireDecoder) throws(WireError) {
        let nonce = try decoder.readUInt64()
        let artifactHash = try decoder.read(Hash32.self)
        let merkle = try decoder.read(MerkleProof.self)
        guard merkle.leafIndex == nonce else {
            throw .invalidValue(
                field: "SprintProof.merkle", reason: "leafIndex \(merkle.leafIndex) differs from nonce \(nonce)"
            )
        }
        self.init(nonce: nonce, artifactHash: artifactHash, merkle: merkle)
    }
}
