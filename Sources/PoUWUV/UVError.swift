/// A failure reported by libuv, kept as its errno-style code with libuv's name and text for it.
internal import CLibUV

/// An error code from libuv (`UV_ECONNREFUSED`, `UV_EADDRINUSE`, ...), as returned by a libuv call
/// or passed to a libuv callback. `name` is the symbolic name ("ECONNREFUSED"), `message` libuv's
/// text for it.
public struct UVError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The negative code libuv returned.
    public let code: Int32

    init(code: Int32) {
        precondition(code < 0, "libuv reports errors as negative codes, got \(code)")
        self.code = code
    }

    /// libuv's symbolic name of the code, e.g. "ECONNREFUSED".
    public var name: String { String(cString: uv_err_name(code)) }

    /// libuv's description of the code, e.g. "connection refused".
    public var message: String { String(cString: uv_strerror(code)) }

    public var description: String { "\(name) (\(message))" }

    /// Whether this is `UV_ECANCELED`: the request was cancelled because its handle closed.
    var isCancellation: Bool { code == UV_ECANCELED.rawValue }

    /// Whether this is `UV_EOF`: the peer closed its side of the stream.
    var isEndOfFile: Bool { code == UV_EOF.rawValue }
}
