public import PoUWCore

/// What a node asks the simulated network to do.
public enum NetworkCommand: Sendable, Equatable {
    /// Send one frame to a linked peer (it may be delayed, reordered, lost or cut by a partition).
    case send(to: PublicKey, bytes: [UInt8])
    /// Drop the link to the peer; both ends are told with `linkDown`.
    case disconnect(PublicKey)
}

/// A node state machine the `SimulatedNetwork` runs: authenticated links to peers named by their
/// public keys, frames as opaque bytes, and a periodic tick. Every call gets the virtual time and
/// returns what the node wants the network to do.
public protocol SimulatedNode {
    /// A link to `peer` came up; `outbound` when this node dialled it.
    mutating func linkUp(_ peer: PublicKey, outbound: Bool, now: Nanoseconds) -> [NetworkCommand]
    /// The link to `peer` went down.
    mutating func linkDown(_ peer: PublicKey, now: Nanoseconds) -> [NetworkCommand]
    /// A frame from `peer` arrived.
    mutating func receive(_ bytes: [UInt8], from peer: PublicKey, now: Nanoseconds) -> [NetworkCommand]
    /// The periodic timer (every `NetworkConditions.tickIntervalNanoseconds`, per-node phase).
    mutating func tick(now: Nanoseconds) -> [NetworkCommand]
}
