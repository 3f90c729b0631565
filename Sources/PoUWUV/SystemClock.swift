/// The real clock, for the node's drivers (pure modules take a `Clock` and never read this).
public import PoUWCore
internal import CLibUV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time from the operating system: `uv_hrtime` (monotonic, nanoseconds from an arbitrary origin)
/// and `clock_gettime(CLOCK_REALTIME)` (wall time).
public struct SystemClock: Clock {
    public init() {}

    public func monotonicNanoseconds() -> Nanoseconds {
        uv_hrtime()
    }

    public func unixMilliseconds() -> UInt64 {
        var now = timespec()
        let status = clock_gettime(CLOCK_REALTIME, &now)
        precondition(status == 0, "clock_gettime(CLOCK_REALTIME) failed: errno \(errno)")
        return UInt64(now.tv_sec) * 1_000 + UInt64(now.tv_nsec) / 1_000_000
    }
}
