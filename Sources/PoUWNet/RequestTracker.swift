/// Bookkeeping for request/response exchanges (block sync, payload fetch): which requests are out,
/// to whom, until when, and how large an answer may be. Pure: time is passed in.

/// The id of one request, unique for the tracker's lifetime (never reused), carried in the request
/// frame and echoed in the response frame.
public struct RequestId: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: RequestId, rhs: RequestId) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "request \(rawValue)" }
}

/// Bounds of a `RequestTracker`.
public struct RequestTrackerConfig: Sendable {
    /// Most requests awaiting an answer from one peer.
    public var inFlightPerPeerMax: Int
    /// Most requests awaiting an answer in all.
    public var inFlightMax: Int
    /// How long a request may wait for its answer unless `begin` says otherwise, in nanoseconds.
    public var timeoutNanoseconds: UInt64
    /// Largest answer accepted unless `begin` says otherwise, in bytes.
    public var responseBytesMax: Int

    /// - Precondition: every bound is positive; `inFlightPerPeerMax <= inFlightMax`.
    public init(
        inFlightPerPeerMax: Int = 8, inFlightMax: Int = 256, timeoutNanoseconds: UInt64 = 10_000_000_000,
        responseBytesMax: Int = ChannelConfig.frameBytesMaxDefault
    ) {
        precondition(inFlightPerPeerMax > 0 && inFlightMax >= inFlightPerPeerMax,
                     "need 0 < inFlightPerPeerMax <= inFlightMax, got \(inFlightPerPeerMax), \(inFlightMax)")
        precondition(timeoutNanoseconds > 0 && responseBytesMax > 0, "request timeout and size bound must be positive")
        self.inFlightPerPeerMax = inFlightPerPeerMax
        self.inFlightMax = inFlightMax
        self.timeoutNanoseconds = timeoutNanoseconds
        self.responseBytesMax = responseBytesMax
    }
}

/// Why a request could not be sent or an answer not be matched. Nothing changes in the tracker.
public enum RequestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The peer already has `inFlightPerPeerMax` unanswered requests.
    case peerBusy(inFlight: Int)
    /// `inFlightMax` requests are unanswered.
    case trackerFull(inFlight: Int)
    /// No request with this id is waiting: never sent, already answered, or timed out.
    case unknownRequest(RequestId)
    /// The request exists but was sent to another peer.
    case wrongPeer(RequestId)

    public var description: String {
        switch self {
        case .peerBusy(let inFlight):
            "peer already has \(inFlight) unanswered requests: wait for an answer or ask another peer"
        case .trackerFull(let inFlight):
            "\(inFlight) requests are unanswered: wait for answers or timeouts before asking more"
        case .unknownRequest(let id):
            "answer to \(id), which is not waiting (late after a timeout, or never sent): drop the answer"
        case .wrongPeer(let id):
            "answer to \(id) came from a peer it was not sent to: drop the answer and penalise the sender"
        }
    }
}

/// How a matched answer ended its request.
public enum RequestOutcome<Context: Sendable>: Sendable {
    /// The answer is within bounds: hand it to the requester.
    case answered(Context)
    /// The answer is larger than the request allowed: the request is over, drop the answer and
    /// penalise the peer.
    case oversized(Context, bytes: Int, max: Int)
}

/// A request that ran out of time (or lost its peer), with what the requester attached to it.
public struct EndedRequest<Peer: Hashable & Sendable, Context: Sendable>: Sendable {
    public let id: RequestId
    public let peer: Peer
    public let context: Context
}

/// The requests awaiting answers. `Peer` identifies a connection or identity; `Context` is what the
/// requester needs back when the request ends (what was asked, whom to notify).
///
/// Every request ends exactly once: answered (`complete`), timed out (`expire`), or dropped with its
/// peer (`removeAll(peer:)`). An answer arriving afterwards is `unknownRequest`.
public struct RequestTracker<Peer: Hashable & Sendable, Context: Sendable>: Sendable {
    private struct Entry: Sendable {
        let peer: Peer
        let context: Context
        let deadlineNanoseconds: UInt64
        let responseBytesMax: Int
    }

    public let config: RequestTrackerConfig
    private var entries: [RequestId: Entry] = [:]
    private var inFlightByPeer: [Peer: Int] = [:]
    private var lastId: UInt64 = 0

    public init(config: RequestTrackerConfig = RequestTrackerConfig()) {
        self.config = config
    }

    /// Requests awaiting answers.
    public var inFlight: Int { entries.count }

    /// Requests awaiting answers from `peer`.
    public func inFlight(peer: Peer) -> Int { inFlightByPeer[peer] ?? 0 }

    /// The earliest deadline of any waiting request: when the driver should next call `expire`.
    public var nextDeadlineNanoseconds: UInt64? { entries.values.map(\.deadlineNanoseconds).min() }

    /// Records a request to `peer` sent at `nowNanoseconds` and returns its new id.
    /// - Parameters:
    ///   - timeoutNanoseconds: overrides `config.timeoutNanoseconds` for this request.
    ///   - responseBytesMax: overrides `config.responseBytesMax` for this request.
    /// - Throws: `.peerBusy`, `.trackerFull`.
    public mutating func begin(
        peer: Peer, context: Context, nowNanoseconds: UInt64, timeoutNanoseconds: UInt64? = nil,
        responseBytesMax: Int? = nil
    ) throws(RequestError) -> RequestId {
        let peerCount = inFlight(peer: peer)
        guard peerCount < config.inFlightPerPeerMax else { throw .peerBusy(inFlight: peerCount) }
        guard entries.count < config.inFlightMax else { throw .trackerFull(inFlight: entries.count) }
        let timeout = timeoutNanoseconds ?? config.timeoutNanoseconds
        let (deadline, overflow) = nowNanoseconds.addingReportingOverflow(timeout)
        lastId += 1
        let id = RequestId(rawValue: lastId)
        entries[id] = Entry(peer: peer, context: context, deadlineNanoseconds: overflow ? .max : deadline,
                            responseBytesMax: responseBytesMax ?? config.responseBytesMax)
        inFlightByPeer[peer] = peerCount + 1
        return id
    }

    /// Matches an answer of `responseBytes` bytes from `peer` to request `id` and ends the request.
    /// - Throws: `.unknownRequest`, `.wrongPeer` (the request then stays waiting).
    public mutating func complete(
        _ id: RequestId, from peer: Peer, responseBytes: Int
    ) throws(RequestError) -> RequestOutcome<Context> {
        guard let entry = entries[id] else { throw .unknownRequest(id) }
        guard entry.peer == peer else { throw .wrongPeer(id) }
        remove(id, peer: peer)
        guard responseBytes <= entry.responseBytesMax else {
            return .oversized(entry.context, bytes: responseBytes, max: entry.responseBytesMax)
        }
        return .answered(entry.context)
    }

    /// Ends and returns every request whose deadline is at or before `nowNanoseconds`, earliest
    /// deadline first (ties by id).
    public mutating func expire(nowNanoseconds: UInt64) -> [EndedRequest<Peer, Context>] {
        let due = entries.filter { $0.value.deadlineNanoseconds <= nowNanoseconds }
            .sorted { ($0.value.deadlineNanoseconds, $0.key) < ($1.value.deadlineNanoseconds, $1.key) }
        for (id, entry) in due { remove(id, peer: entry.peer) }
        return due.map { EndedRequest(id: $0.key, peer: $0.value.peer, context: $0.value.context) }
    }

    /// Ends and returns every request waiting on `peer` (it disconnected or was banned), by id.
    public mutating func removeAll(peer: Peer) -> [EndedRequest<Peer, Context>] {
        let dropped = entries.filter { $0.value.peer == peer }.sorted { $0.key < $1.key }
        for (id, _) in dropped { remove(id, peer: peer) }
        return dropped.map { EndedRequest(id: $0.key, peer: peer, context: $0.value.context) }
    }

    private mutating func remove(_ id: RequestId, peer: Peer) {
        entries[id] = nil
        let remaining = inFlight(peer: peer) - 1
        precondition(remaining >= 0, "RequestTracker: per-peer count below zero")
        inFlightByPeer[peer] = remaining == 0 ? nil : remaining
    }
}
