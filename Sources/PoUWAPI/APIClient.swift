/// A synchronous client of the node API for the CLI: one HTTP/1.1 request per connection over POSIX sockets.
import Foundation
public import PoUWCore

/// Why an API call failed.
public enum APIClientError: Error, Sendable, CustomStringConvertible {
    /// The base URL is not `http://HOST:PORT`.
    case badURL(String)
    /// Nothing accepted the connection (refused, unreachable, or no such host).
    case unreachable(baseURL: String, reason: String)
    /// The node accepted the connection but did not answer within the timeout.
    case timedOut(baseURL: String, seconds: Int)
    /// The answer is not HTTP/1.1 this client understands, or not the JSON expected.
    case malformedAnswer(String)
    /// The node answered with an error.
    case api(status: Int, error: APIError)

    public var description: String {
        switch self {
        case .badURL(let url):
            "bad API address \"\(url)\": expected http://HOST:PORT, for example http://127.0.0.1:7001"
        case .unreachable(let baseURL, let reason):
            "no node answers at \(baseURL) — is `pouw node` running? (\(reason))"
        case .timedOut(let baseURL, let seconds):
            "the node at \(baseURL) did not answer within \(seconds) s; it may be overloaded or stuck"
        case .malformedAnswer(let detail):
            "the node's answer is malformed: \(detail); is the address that of a pouw node API?"
        case .api(let status, let error):
            "the node answered \(status): \(error.message)"
        }
    }
}

/// The status and body of an HTTP answer.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var body: [UInt8]
}

/// Calls the node API at `baseURL`. Every call opens one connection, sends one request, reads the whole
/// answer (the server always sends Content-Length) and closes; each call blocks its thread for at most
/// about `timeoutSeconds` per socket operation.
public struct APIClient: Sendable {
    /// Largest answer accepted.
    public static let answerBytesMax = 16 * 1024 * 1024

    public let baseURL: String
    public let timeoutSeconds: Int
    let host: String
    let port: Int

    /// - Parameter baseURL: `http://HOST:PORT` (a trailing `/` is ignored). A malformed URL makes every call
    ///   throw `APIClientError.badURL`.
    public init(baseURL: String, timeoutSeconds: Int = 10) {
        self.baseURL = baseURL
        self.timeoutSeconds = timeoutSeconds
        let parsed = Self.parse(baseURL)
        host = parsed?.host ?? ""
        port = parsed?.port ?? 0
    }

    /// `GET /status`.
    public func status() throws(APIClientError) -> StatusView { try get("/status") }

    /// `GET /blocks/{height}`; a missing block is `APIClientError.api(status: 404, …)`.
    public func block(_ height: UInt64) throws(APIClientError) -> BlockView { try get("/blocks/\(height)") }

    /// `GET /accounts/{key}`.
    public func account(_ key: PublicKey) throws(APIClientError) -> AccountView {
        try get("/accounts/\(Hex.encode(key.bytes))")
    }

    /// `GET /epochs/{n}`.
    public func epoch(_ number: UInt64) throws(APIClientError) -> EpochView { try get("/epochs/\(number)") }

    /// `GET /hosts`: the registered hosts.
    public func hosts() throws(APIClientError) -> [HostView] { try get("/hosts") }

    /// `POST /txs` with the transaction's wire bytes (sent as hex); returns its id (hex).
    public func submit(txBytes: [UInt8]) throws(APIClientError) -> String {
        let answer = try request(method: "POST", path: "/txs", body: Array(Hex.encode(txBytes).utf8),
                                 contentType: "text/plain")
        let submitted: SubmittedView = try decode(answer)
        return submitted.id
    }

    /// `GET path`, decoded as `T`, or the node's error.
    func get<T: Decodable>(_ path: String) throws(APIClientError) -> T {
        try decode(request(method: "GET", path: path))
    }

    /// `answer` as `T` when its status is 2xx; otherwise its error envelope as `APIClientError.api`.
    func decode<T: Decodable>(_ answer: HTTPAnswer) throws(APIClientError) -> T {
        let data = Data(answer.body)
        guard (200..<300).contains(answer.status) else {
            guard let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: data) else {
                throw .malformedAnswer("status \(answer.status) without an error document")
            }
            throw .api(status: answer.status, error: envelope.error)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .malformedAnswer("cannot read \(T.self): \(error)")
        }
    }

    /// Sends one request and reads the whole answer, whatever its status.
    public func request(
        method: String, path: String, body: [UInt8] = [], contentType: String? = nil
    ) throws(APIClientError) -> HTTPAnswer {
        guard port > 0 else { throw .badURL(baseURL) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        head += "Accept: application/json\r\nContent-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "\r\n"
        let socket = try HTTPSocket(host: host, port: port, timeoutSeconds: timeoutSeconds, baseURL: baseURL)
        defer { socket.close() }
        // A server may answer (413) and close before reading a large body: a failed send is not the end.
        let sent = socket.send(Array(head.utf8) + body)
        let received = try socket.receive(bytesMax: Self.answerBytesMax + 64 * 1024) {
            HTTPAnswerParser.parse($0, atClose: false) != nil
        }
        guard let answer = HTTPAnswerParser.parse(received, atClose: true) else {
            if !sent { throw .unreachable(baseURL: baseURL, reason: "the connection closed while sending") }
            throw .malformedAnswer("not an HTTP/1.1 answer with a complete body (\(received.count) bytes read)")
        }
        return answer
    }

    /// (host, port) of `http://HOST:PORT[/]`.
    static func parse(_ url: String) -> (host: String, port: Int)? {
        guard url.hasPrefix("http://") else { return nil }
        var rest = url.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
              (1...65_535).contains(port)
        else { return nil }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains("/") else { return nil }
        return (host, port)
    }
}

/// Parses a complete HTTP/1.1 answer: status line, headers, and a body of Content-Length bytes (or, without
/// Content-Length, everything up to the close).
enum HTTPAnswerParser {
    /// The answer in `bytes`, or `nil` while incomplete. `atClose`: the connection has closed, so an answer
    /// without Content-Length is complete.
    static func parse(_ bytes: [UInt8], atClose: Bool) -> HTTPAnswer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) })
        else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusWords = lines[0].split(separator: " ")
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/1."), let status = Int(statusWords[1]) else {
            return nil
        }
        var contentLength: Int?
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length" { contentLength = Int(value) }
            if name == "transfer-encoding", value.lowercased() != "identity" { return nil }
        }
        let body = Array(bytes[(end + 4)...])
        if let contentLength {
            guard body.count >= contentLength else { return nil }
            return HTTPAnswer(status: status, body: Array(body.prefix(contentLength)))
        }
        return atClose ? HTTPAnswer(status: status, body: body) : nil
    }
}
