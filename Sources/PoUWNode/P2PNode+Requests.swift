/// Request/response on the peer connections: `FrameType.request` and `.response` frames whose
/// payload is an 8-byte little-endian request id followed by the body.
public import PoUWCore
public import PoUWNet
import PoUWUV

/// Why a request ended without an answer.
public enum P2PRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No established connection to the peer.
    case notConnected
    /// The tracker refused it (too many in flight).
    case refused(RequestError)
    /// No answer within the timeout.
    case timedOut
    /// The answer was larger than allowed.
    case oversized(bytes: Int, max: Int)
    /// The connection closed first.
    case peerGone

    public var description: String {
        switch self {
        case .notConnected: "not connected to that peer: connect first or ask another"
        case .refused(let error): "\(error)"
        case .timedOut: "the peer did not answer in time: retry or ask another peer"
        case .oversized(let bytes, let max): "answer of \(bytes) bytes exceeds \(max): the peer misbehaves"
        case .peerGone: "the connection closed before the answer came: retry with another peer"
        }
    }
}

extension P2PNode {
    /// Bytes of the request id that starts request and response payloads.
    static let requestIdBytes = 8

    /// Sends `body` as a request to `peer`; `completion` runs once on the loop thread with the
    /// answer or why there is none. Timeouts are checked at each heartbeat.
    public func request(
        _ body: [UInt8], to peer: PublicKey, timeoutNanoseconds: UInt64? = nil,
        completion: @escaping (Result<[UInt8], P2PRequestError>) -> Void
    ) {
        checkLoop()
        guard let connection = connections[peer] else {
            completion(.failure(.notConnected))
            return
        }
        let now = clock.monotonicNanoseconds()
        let id: RequestId
        do {
            id = try requests.begin(peer: peer, context: now, nowNanoseconds: now,
                                    timeoutNanoseconds: timeoutNanoseconds)
        } catch {
            completion(.failure(.refused(error)))
            return
        }
        requestCompletions[id] = completion
        send(Frame(type: .request, payload: Self.idBytes(id.rawValue) + body), on: connection)
    }

    func answerRequest(_ payload: [UInt8], from peer: PublicKey, connection: PeerConnection) {
        guard payload.count >= Self.requestIdBytes else {
            connection.close(reason: "request frame shorter than its id")
            return
        }
        let body = Array(payload[Self.requestIdBytes...])
        guard let answer = requestHandler?(peer, body) else { return }
        guard answer.count + Self.requestIdBytes <= config.frameBytesMax else { return }
        send(Frame(type: .response, payload: Array(payload[..<Self.requestIdBytes]) + answer), on: connection)
    }

    func receiveResponse(_ payload: [UInt8], from peer: PublicKey) {
        guard payload.count >= Self.requestIdBytes else { return }
        var raw: UInt64 = 0
        for (index, byte) in payload[..<Self.requestIdBytes].enumerated() { raw |= UInt64(byte) << (8 * index) }
        let body = Array(payload[Self.requestIdBytes...])
        let id = RequestId(rawValue: raw)
        guard let outcome = try? requests.complete(id, from: peer, responseBytes: body.count) else { return }
        let completion = requestCompletions.removeValue(forKey: id)
        switch outcome {
        case .answered: completion?(.success(body))
        case .oversized(_, let bytes, let max): completion?(.failure(.oversized(bytes: bytes, max: max)))
        }
    }

    static func idBytes(_ value: UInt64) -> [UInt8] {
        (0..<requestIdBytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
