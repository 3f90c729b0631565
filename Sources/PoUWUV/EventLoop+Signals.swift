/// SIGINT and SIGTERM delivered to a handler on the loop thread.
internal import CLibUV
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process signals a node handles (both mean "shut down cleanly").
public enum Signal: Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// SIGINT: Ctrl-C in a terminal.
    case interrupt
    /// SIGTERM: `kill`, systemd stopping the service.
    case terminate

    /// The signal's number on this platform.
    public var number: Int32 {
        switch self {
        case .interrupt: SIGINT
        case .terminate: SIGTERM
        }
    }

    public var description: String {
        switch self {
        case .interrupt: "SIGINT"
        case .terminate: "SIGTERM"
        }
    }
}

extension EventLoop {
    /// From now until the loop stops, each of `signals` calls `handler` on the loop thread instead of
    /// the default action (which kills the process). Calling again for a signal replaces its
    /// handler. When the loop stops, the default actions return.
    /// - Precondition: on the loop thread.
    public func handleSignals(
        _ signals: Set<Signal> = [.interrupt, .terminate], _ handler: @escaping (Signal) -> Void
    ) {
        preconditionInLoop()
        guard !isClosingAll else { return }
        for signal in signals {
            if let watcher = signalWatchers[signal] {
                watcher.handler = handler
                continue
            }
            let watcher = SignalWatcher(signal: signal, handler: handler)
            let status = uv_signal_init(uvLoop, watcher.signalHandle)
            precondition(status == 0, "uv_signal_init failed: \(UVError(code: status))")
            watcher.adopt()
            let started = uv_signal_start(watcher.signalHandle, signalWatcherCallback, signal.number)
            precondition(started == 0, "uv_signal_start(\(signal)) failed: \(UVError(code: started))")
            signalWatchers[signal] = watcher
        }
    }
}

/// A libuv signal handle and the handler it calls.
final class SignalWatcher: UVHandleOwner {
    let uvHandle = UVHandleMemory(type: UV_SIGNAL)
    let signal: Signal
    var handler: ((Signal) -> Void)?

    init(signal: Signal, handler: @escaping (Signal) -> Void) {
        self.signal = signal
        self.handler = handler
    }

    var signalHandle: UnsafeMutablePointer<uv_signal_t> { uvHandle.typed() }

    func handleDidClose() { handler = nil }
}

private func signalWatcherCallback(_ handle: UnsafeMutablePointer<uv_signal_t>?, _: Int32) {
    let watcher = SignalWatcher.owner(of: handle)
    watcher.handler?(watcher.signal)
}
