/// Reading streamed answers (chunked transfer encoding, server-sent events) with `APIClient`, for clients of
/// the `/v1` endpoints with `"stream": true`.
import Foundation

extension APIClient {
    /// Sends one request and reads the answer until the server closes the connection, undoing a chunked
    /// transfer encoding. Unlike `request`, it accepts streamed answers; it returns only when the answer ends.
    public func exchange(
        method: String, path: String, body: [UInt8] = [], contentType: String? = "application/json"
    ) throws(APIClientError) -> HTTPAnswer {
        guard port > 0 else { throw .badURL(baseURL) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "\r\n"
        let socket = try HTTPSocket(host: host, port: port, timeoutSeconds: timeoutSeconds, baseURL: baseURL)
        defer { socket.close() }
        let sent = socket.send(Array(head.utf8) + body)
        let received = try socket.receive(bytesMax: Self.answerBytesMax + 64 * 1024) { _ in false }
        guard let answer = Self.parseStreamed(received) else {
            if !sent { throw .unreachable(baseURL: baseURL, reason: "the connection closed while sending") }
            throw .malformedAnswer("not an HTTP/1.1 answer (\(received.count) bytes read)")
        }
        return answer
    }

    /// The `data:` payloads of a server-sent event stream, in order (`[DONE]` included).
    public static func serverSentEvents(_ body: [UInt8]) -> [String] {
        let text = String(decoding: body, as: UTF8.self)
        return text.components(separatedBy: "\n\n").compactMap { event in
            let lines = event.split(separator: "\n").filter { $0.hasPrefix("data:") }
            guard !lines.isEmpty else { return nil }
            return lines.map { line in
                let payload = line.dropFirst("data:".count)
                return String(payload.first == " " ? payload.dropFirst() : payload)
            }.joined(separator: "\n")
        }
    }

    /// A whole answer read up to the close: status, and the body de-chunked when chunked.
    static func parseStreamed(_ bytes: [UInt8]) -> HTTPAnswer? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<($0 + 4)].elementsEqual(separator) })
        else { return nil }
        let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
        let lines = head.components(separatedBy: "\r\n")
        let statusWords = lines[0].split(separator: " ")
        guard statusWords.count >= 2, statusWords[0].hasPrefix("http/1."), let status = Int(statusWords[1]) else {
            return nil
        }
        let body = Array(bytes[(end + 4)...])
        let chunked = lines.dropFirst().contains { $0.hasPrefix("transfer-encoding:") && $0.contains("chunked") }
        guard chunked else {
            return HTTPAnswer(status: status, body: HTTPAnswerParser.parse(bytes, atClose: true)?.body ?? body)
        }
        var out: [UInt8] = []
        var index = 0
        while index < body.count {
            guard let lineEnd = body[index...].firstIndex(of: 10) else { return nil }
            let sizeText = String(decoding: body[index..<lineEnd], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16) else { return nil }
            if size == 0 { break }
            let start = lineEnd + 1
            guard start + size <= body.count else { return nil }
            out += body[start..<(start + size)]
            index = start + size + 2
        }
        return HTTPAnswer(status: status, body: out)
    }
}
