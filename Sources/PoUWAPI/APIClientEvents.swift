/// Server-sent events read as they arrive (for `pouw chat`): the answer's body is de-chunked and split
/// into events while the connection is still open.
import Foundation

extension APIClient {
    /// Bytes of one event's text (a longer event is a malformed answer).
    public static let eventBytesMax = 1024 * 1024

    /// POSTs `body` to `path` and calls `onEvent` with each event's data as it arrives, until the data
    /// `[DONE]`, the end of the answer, or `onEvent` returning false. A non-2xx status throws the node's
    /// error (its JSON error document).
    public func postEvents(
        path: String, body: [UInt8], onEvent: (String) -> Bool
    ) throws(APIClientError) {
        guard port > 0 else { throw .badURL(baseURL) }
        let head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
            + "Content-Length: \(body.count)\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n\r\n"
        let socket = try HTTPSocket(host: host, port: port, timeoutSeconds: timeoutSeconds, baseURL: baseURL)
        defer { socket.close() }
        guard socket.send(Array(head.utf8) + body) else {
            throw .unreachable(baseURL: baseURL, reason: "the connection closed while sending")
        }
        var reader = EventReader()
        let received = try socket.receive(bytesMax: Self.answerBytesMax) { bytes in
            reader.consume(bytes, onEvent: onEvent)
        }
        if let status = reader.status, !(200..<300).contains(status) {
            guard let answer = Self.parseStreamed(received),
                  let envelope = try? JSONDecoder().decode(APIErrorEnvelope.self, from: Data(answer.body))
            else { throw .malformedAnswer("status \(status) without an error document") }
            throw .api(status: status, error: envelope.error)
        }
        if reader.status == nil { throw .malformedAnswer("not an HTTP/1.1 answer (\(received.count) bytes read)") }
    }
}

/// Incremental HTTP answer → SSE event splitter: head, then chunked or plain body, then `data:` events.
struct EventReader {
    private(set) var status: Int?
    private var bodyStart: Int?
    private var chunked = false
    /// Offset in the raw bytes up to which the body has been de-chunked into `payload`.
    private var rawOffset = 0
    private var payload: [UInt8] = []
    private var finished = false

    /// Feeds everything received so far; returns true when no more is wanted.
    mutating func consume(_ bytes: [UInt8], onEvent: (String) -> Bool) -> Bool {
        if bodyStart == nil {
            let separator: [UInt8] = [13, 10, 13, 10]
            guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) })
            else { return false }
            let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased().components(separatedBy: "\r\n")
            let words = head[0].split(separator: " ")
            status = words.count >= 2 ? Int(words[1]) : nil
            chunked = head.dropFirst().contains { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }
            bodyStart = end + 4
            rawOffset = end + 4
            guard let status, (200..<300).contains(status) else { return false }
        }
        guard let status, (200..<300).contains(status) else { return false }
        dechunk(bytes)
        while let end = payload.indices.dropLast().first(where: { payload[$0] == 10 && payload[$0 + 1] == 10 }) {
            let event = String(decoding: payload[..<end], as: UTF8.self)
            payload.removeFirst(end + 2)
            let data = event.split(separator: "\n").filter { $0.hasPrefix("data:") }.map { line in
                let value = line.dropFirst("data:".count)
                return String(value.first == " " ? value.dropFirst() : value)
            }.joined(separator: "\n")
            if data == "[DONE]" || !onEvent(data) { return true }
        }
        return finished || payload.count > APIClient.eventBytesMax
    }

    private mutating func dechunk(_ bytes: [UInt8]) {
        guard chunked else {
            payload += bytes[rawOffset...]
            rawOffset = bytes.count
            return
        }
        while rawOffset < bytes.count {
            guard let lineEnd = bytes[rawOffset...].firstIndex(of: 10) else { return }
            let sizeText = String(decoding: bytes[rawOffset..<lineEnd], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else {
                finished = true
                return
            }
            if size == 0 {
                finished = true
                return
            }
            let dataStart = lineEnd + 1
            guard dataStart + size + 2 <= bytes.count else { return }
            payload += bytes[dataStart..<(dataStart + size)]
            rawOffset = dataStart + size + 2
        }
    }
}
