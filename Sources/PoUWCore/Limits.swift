/// Every bound of the protocol, named with its unit. Relationships between them are asserted in
/// `Limits.check()` (run by the node at start-up and by PoUWCoreTests).
public enum Limits {
    /// Longest chain id, in bytes of UTF-8.
    public static let chainIdBytesMax = 64
    /// Largest payload of one signed envelope, in bytes.
    public static let envelopePayloadBytesMax = 4 * 1024 * 1024
    /// Largest frame on the wire (a whole encoded message), in bytes.
    public static let frameBytesMax = 8 * 1024 * 1024
    /// Most addresses a peer record may advertise.
    public static let peerAddressesMax = 8
    /// Longest advertised address ("host:port"), in bytes.
    public static let peerAddressBytesMax = 256
    /// Deepest Merkle proof accepted (2^64 leaves is more than any tree we build).
    public static let merkleProofDepthMax = 64
    /// Longest human-readable name (model ids, host names), in bytes.
    public static let nameBytesMax = 128

    /// Preconditions on how the limits relate to one another.
    public static func check() {
        precondition(envelopePayloadBytesMax < frameBytesMax, "an envelope must fit in a frame")
        precondition(chainIdBytesMax > 0 && chainIdBytesMax <= 255)
        precondition(peerAddressesMax * peerAddressBytesMax < frameBytesMax)
    }
}
