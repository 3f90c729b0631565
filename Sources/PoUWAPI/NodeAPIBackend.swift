/// The seam between the HTTP API and the node: the API runs on Hummingbird's threads and reaches the node
/// only through this protocol.
public import PoUWCore

/// What the node offers the API. The node implements it with a lock-protected snapshot of its state (the
/// reads) and by posting work to its loop thread (the submission); the API calls it from any thread, so
/// every method must be safe to call concurrently and must not block for long.
public protocol NodeAPIBackend: Sendable {
    /// The node's current view of the chain, its peers and its validator set.
    func status() -> StatusView
    /// The committed block at `height`; `nil` when the node has none there (answered 404).
    func block(height: UInt64) -> BlockView?
    /// The account of `key`; an account never touched has zero balance and nonce.
    func account(_ key: PublicKey) -> AccountView
    /// The epoch numbered `number`; `nil` when it has not started or was pruned (answered 404).
    func epoch(_ number: UInt64) -> EpochView?
    /// The registered hosts, sorted by key.
    func hosts() -> [HostView]
    /// Accepts the wire bytes of a signed transaction; returns its id (hex) or a client error message.
    func submitTransaction(_ bytes: [UInt8]) async -> Result<String, APIError>
}

extension NodeAPIBackend {
    /// No host registry: an empty list.
    public func hosts() -> [HostView] { [] }
}
