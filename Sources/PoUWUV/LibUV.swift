/// PoUWUV owns the libuv event loop (issue 4 builds the TCP transport, timers and signals here).
/// It is the only module that imports CLibUV.
internal import CLibUV

/// Facts about the linked libuv.
public enum LibUV {
    /// The version of the libuv the binary runs against, e.g. "1.44.2".
    public static var version: String { String(cString: uv_version_string()) }
}
