/// Numeric IP addresses and ports, converted to and from the `sockaddr` libuv takes.
internal import CLibUV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address in numeric form ("127.0.0.1", "::1") and a TCP port. Host names are not
/// resolved here: listening or dialling a non-numeric host throws `TCPError.invalidAddress`.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// "127.0.0.1:8080", or "[::1]:8080" for IPv6.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Calls `body` with this address as a `sockaddr`.
    /// - Throws: `.invalidAddress` when `host` is neither a numeric IPv4 nor IPv6 address.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>) -> Result) throws(TCPError) -> Result {
        var storage = sockaddr_storage()
        let parsed = withUnsafeMutableBytes(of: &storage) { raw -> Bool in
            if uv_ip4_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)) == 0 {
                return true
            }
            return uv_ip6_addr(host, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)) == 0
        }
        guard parsed else { throw .invalidAddress(host) }
        return withUnsafeBytes(of: &storage) { raw in body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }

    /// The address in `storage` (as filled by `uv_tcp_getsockname` / `uv_tcp_getpeername`), or nil
    /// for a family other than IPv4 and IPv6.
    init?(_ storage: sockaddr_storage) {
        let family = Int32(storage.ss_family)
        let address = withUnsafeBytes(of: storage) { raw -> SocketAddress? in
            var name = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch family {
            case AF_INET:
                let ipv4 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
                guard uv_ip4_name(ipv4, &name, name.count) == 0 else { return nil }
                return SocketAddress(host: Self.string(name), port: UInt16(bigEndian: ipv4.pointee.sin_port))
            case AF_INET6:
                let ipv6 = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                guard uv_ip6_name(ipv6, &name, name.count) == 0 else { return nil }
                return SocketAddress(host: Self.string(name), port: UInt16(bigEndian: ipv6.pointee.sin6_port))
            default:
                return nil
            }
        }
        guard let address else { return nil }
        self = address
    }

    /// The text before the first NUL of a C string buffer.
    private static func string(_ buffer: [CChar]) -> String {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
