/// Settings of one secure channel.
import PoUWCore

/// What both ends of a channel must agree on (the chain id) and the local bounds.
public struct ChannelConfig: Sendable {
    /// Default `frameBytesMax`: 4 MiB.
    public static let frameBytesMaxDefault = 4 * 1024 * 1024
    /// Default `handshakeTimeoutNanoseconds`: 5 s.
    public static let handshakeTimeoutNanosecondsDefault: UInt64 = 5_000_000_000

    /// The chain this node runs; bound into the handshake, so peers on other chains fail it.
    public var chainId: String
    /// Largest frame payload accepted or sent, in bytes.
    public var frameBytesMax: Int
    /// How long the handshake may take, from the channel's creation, in nanoseconds.
    public var handshakeTimeoutNanoseconds: UInt64

    /// - Precondition: `chainId` is 1 ... `Limits.chainIdBytesMax` bytes of UTF-8;
    ///   `0 <= frameBytesMax <= Limits.frameBytesMax`.
    public init(
        chainId: String, frameBytesMax: Int = ChannelConfig.frameBytesMaxDefault,
        handshakeTimeoutNanoseconds: UInt64 = ChannelConfig.handshakeTimeoutNanosecondsDefault
    ) {
        let chainBytes = chainId.utf8.count
        precondition(chainBytes >= 1 && chainBytes <= Limits.chainIdBytesMax,
                     "chain id must be 1...\(Limits.chainIdBytesMax) bytes, got \(chainBytes)")
        precondition(frameBytesMax >= 0 && frameBytesMax <= Limits.frameBytesMax,
                     "frameBytesMax must be 0...\(Limits.frameBytesMax), got \(frameBytesMax)")
        self.chainId = chainId
        self.frameBytesMax = frameBytesMax
        self.handshakeTimeoutNanoseconds = handshakeTimeoutNanoseconds
    }
}
