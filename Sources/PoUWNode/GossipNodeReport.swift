/// Reads the JSON-lines report of `pouw debug gossip-node` (one object per line with an "event" key:
/// "listening" {port}, "peer" {peer, up}, "publish"/"deliver" {id, …}, "stats" {…}). Used by the gossip
/// benchmark and the multi-process tests; lines that are not JSON objects (a line being written) are
/// skipped.
import Foundation

public struct GossipNodeReport {
    /// The events written so far, in file order.
    public let events: [[String: Any]]

    /// Reads `path`; a missing file is an empty report.
    public init(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            events = []
            return
        }
        events = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    /// Events of one kind.
    public func events(_ kind: String) -> [[String: Any]] {
        events.filter { $0["event"] as? String == kind }
    }

    /// The port the node logged it listens on.
    public var listeningPort: Int? { events("listening").first?["port"] as? Int }

    /// Peers connected now: "up" events minus "down" events.
    public var connectedPeerCount: Int {
        var peers: Set<String> = []
        for event in events("peer") {
            guard let peer = event["peer"] as? String else { continue }
            if event["up"] as? Bool == true { peers.insert(peer) } else { peers.remove(peer) }
        }
        return peers.count
    }

    /// Message ids of the "publish" or "deliver" events.
    public func ids(_ kind: String) -> Set<String> {
        Set(events(kind).compactMap { $0["id"] as? String })
    }
}
