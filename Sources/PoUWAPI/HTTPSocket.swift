/// The TCP connection of `APIClient`: getaddrinfo, a connect bounded by a timeout, blocking send and receive
/// with SO_SNDTIMEO / SO_RCVTIMEO.
#if canImport(Glibc)
import Glibc
#endif

struct HTTPSocket {
    let descriptor: Int32
    let baseURL: String
    let timeoutSeconds: Int

    /// Connects to the first address of `host` that accepts within `timeoutSeconds`.
    init(host: String, port: Int, timeoutSeconds: Int, baseURL: String) throws(APIClientError) {
        self.baseURL = baseURL
        self.timeoutSeconds = timeoutSeconds
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            throw .unreachable(baseURL: baseURL, reason: "cannot resolve \(host): \(reason)")
        }
        defer { freeaddrinfo(list) }
        var reason = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else {
                reason = Self.errorText(errno)
                continue
            }
            if let failure = Self.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, timeoutSeconds) {
                reason = failure
                Glibc.close(fd)
                continue
            }
            var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            descriptor = fd
            return
        }
        throw .unreachable(baseURL: baseURL, reason: reason)
    }

    /// A non-blocking connect waited on with poll; `nil` on success, else the reason.
    private static func connect(
        _ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, _ timeoutSeconds: Int
    ) -> String? {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if Glibc.connect(fd, address, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return errorText(errno) }
        var pollEntry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat {
            ready = poll(&pollEntry, 1, Int32(timeoutSeconds * 1000))
        } while ready < 0 && errno == EINTR
        guard ready > 0 else { return "connect timed out after \(timeoutSeconds) s" }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        return error == 0 ? nil : errorText(error)
    }

    static func errorText(_ number: Int32) -> String { String(cString: strerror(number)) }

    /// Writes all of `bytes`; false when the peer closed or the send timed out.
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Reads until `isComplete` holds for what was read, or the peer closes (or resets) the connection.
    /// - Throws: `timedOut` when nothing arrives for `timeoutSeconds`; `malformedAnswer` past `bytesMax`.
    func receive(bytesMax: Int, isComplete: ([UInt8]) -> Bool) throws(APIClientError) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[..<count]
                guard received.count <= bytesMax else { throw .malformedAnswer("answer over \(bytesMax) bytes") }
                if isComplete(received) { return received }
                continue
            }
            if count == 0 { return received }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timedOut(baseURL: baseURL, seconds: timeoutSeconds)
            default: return received
            }
        }
    }

    func close() { Glibc.close(descriptor) }
}
