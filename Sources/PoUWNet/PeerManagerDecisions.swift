/// What a `PeerManager` answers: dials to start, admissions and refusals.
public import PoUWCore

/// Why `PeerManager.admit` refused an established connection.
public enum PeerRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// The peer is banned until the given monotonic time.
    case banned(untilNanoseconds: Nanoseconds)
    /// `inboundMax` inbound connections are open.
    case tooManyInbound(max: Int)
    /// `connectionsPerIPMax` connections from this IP are open.
    case tooManyFromIP(ip: String, max: Int)
    /// We are already connected to this identity through a connection that wins the tie-break.
    case duplicate
    /// The peer presented our own identity.
    case selfConnection

    public var description: String {
        switch self {
        case .banned(let until): "peer is banned until monotonic \(until) ns"
        case .tooManyInbound(let max): "\(max) inbound connections already open"
        case .tooManyFromIP(let ip, let max): "\(max) connections from \(ip) already open"
        case .duplicate: "already connected to this peer"
        case .selfConnection: "the peer has our own identity (dialled ourselves)"
        }
    }
}

/// What `admit` decided about a new connection.
public enum PeerAdmission: Sendable, Equatable {
    /// Keep the new connection.
    case accept
    /// Keep the new connection and close the older one to the same identity (`replaced`, an
    /// opaque connection number the driver passed in earlier): the new one wins the tie-break.
    case replace(replaced: UInt64)
}

/// A dial the driver should start now.
public struct DialTarget: Sendable, Equatable {
    /// "host:port".
    public let address: String
    /// The identity expected there, when known from a peer record (nil for a bootnode).
    public let expectedPeer: PublicKey?

    public init(address: String, expectedPeer: PublicKey?) {
        self.address = address
        self.expectedPeer = expectedPeer
    }
}
