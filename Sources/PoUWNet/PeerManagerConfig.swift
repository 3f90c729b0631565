/// The bounds and timing of a `PeerManager`.
public import PoUWCore

/// Bounds and timing of a `PeerManager`. Durations in nanoseconds.
public struct PeerManagerConfig: Sendable, Equatable {
    /// Outbound connections the manager tries to keep (it dials known peers until it has this many).
    public var outboundTarget: Int
    /// Most outbound connections (established plus dialling).
    public var outboundMax: Int
    /// Most inbound connections.
    public var inboundMax: Int
    /// Most connections (either direction) from one IP address.
    public var connectionsPerIPMax: Int
    /// First retry delay after a failed dial or a lost outbound connection.
    public var backoffBaseNanoseconds: Nanoseconds
    /// Longest retry delay; the delay doubles per consecutive failure up to this.
    public var backoffMaxNanoseconds: Nanoseconds
    /// The share of a delay removed at random (0 ... 1), so that peers that failed together do not
    /// retry together.
    public var backoffJitter: Double
    /// Most addresses remembered; beyond it new non-bootnode addresses are ignored.
    public var knownAddressesMax: Int

    /// Defaults: keep 8 outbound (at most 16), 48 inbound, 8 per IP, retry after 1 s doubling to 60 s
    /// with 20 % jitter, remember 1,024 addresses.
    /// - Precondition: counts at least 0, `outboundTarget <= outboundMax`, `0 < base <= max`,
    ///   `0 <= jitter <= 1`.
    public init(
        outboundTarget: Int = 8, outboundMax: Int = 16, inboundMax: Int = 48, connectionsPerIPMax: Int = 8,
        backoffBaseNanoseconds: Nanoseconds = 1_000_000_000, backoffMaxNanoseconds: Nanoseconds = 60_000_000_000,
        backoffJitter: Double = 0.2, knownAddressesMax: Int = 1_024
    ) {
        precondition(outboundTarget >= 0 && outboundTarget <= outboundMax, "need 0 <= outboundTarget <= outboundMax")
        precondition(inboundMax >= 0 && connectionsPerIPMax >= 1 && knownAddressesMax >= 1,
                     "connection limits must not be negative")
        precondition(backoffBaseNanoseconds > 0 && backoffBaseNanoseconds <= backoffMaxNanoseconds,
                     "need 0 < backoffBase <= backoffMax")
        precondition(backoffJitter >= 0 && backoffJitter <= 1, "backoffJitter must be within 0 ... 1")
        self.outboundTarget = outboundTarget
        self.outboundMax = outboundMax
        self.inboundMax = inboundMax
        self.connectionsPerIPMax = connectionsPerIPMax
        self.backoffBaseNanoseconds = backoffBaseNanoseconds
        self.backoffMaxNanoseconds = backoffMaxNanoseconds
        self.backoffJitter = backoffJitter
        self.knownAddressesMax = knownAddressesMax
    }
}
