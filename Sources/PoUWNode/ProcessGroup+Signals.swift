/// Termination signals for supervisors: catch Ctrl-C (SIGINT) and SIGTERM, and stop a `ProcessGroup` on them.
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
public import Glibc
#endif

/// Catches termination signals while it lives: from `init` until `cancel()`, the given signals no longer
/// end this process; the first to arrive is recorded (`received`), wakes every `wait`, and runs `handler`
/// (on the watcher's own thread) once per arrival.
///
/// It installs a plain `sigaction` handler that writes the signal number to a pipe (the self-pipe trick);
/// a thread of the watcher reads the pipe. One watcher per signal at a time: a later watcher, or anything
/// else installing a handler for the signal (libuv, libdispatch), replaces this one. `cancel()` restores
/// each signal's default action.
public final class TerminationSignalWatcher: Sendable {
    private struct State {
        var received: Int32?
        var cancelled = false
    }

    private let state = Mutex(State())
    private let arrived = DispatchSemaphore(value: 0)
    private let signals: [Int32]
    private let writeEnd: Int32

    /// - Parameters:
    ///   - signals: the signals to catch (default SIGINT and SIGTERM); each in 1..<65.
    ///   - handler: called with the signal number on every arrival, on the watcher's thread.
    public init(signals: [Int32] = [SIGINT, SIGTERM], handler: (@Sendable (Int32) -> Void)? = nil) {
        precondition(signals.allSatisfy { (1..<signalTableCount).contains($0) }, "signal numbers must be 1...64")
        self.signals = signals
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0, "cannot create the signal pipe: errno \(errno)")
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let readEnd = ends[0]
        writeEnd = ends[1]
        let table = signalWriteEnds
        for number in signals {
            table[Int(number)] = writeEnd
            var action = sigaction()
            action.__sigaction_handler.sa_handler = forwardSignal
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        let thread = Thread { [weak self] in
            var byte: UInt8 = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count < 0 && errno == EINTR { continue }
                guard count == 1 else { break }
                let number = Int32(byte)
                self?.record(number)
                handler?(number)
            }
            close(readEnd)
        }
        thread.name = "pouw.termination-signals"
        thread.start()
    }

    deinit { cancel() }

    private func record(_ number: Int32) {
        state.withLock { state in
            if state.received == nil { state.received = number }
        }
        arrived.signal()
    }

    /// The first signal that arrived, or `nil`.
    public var received: Int32? { state.withLock { $0.received } }

    /// Blocks until a signal arrives (returns at once if one already has); returns the first that arrived.
    public func wait() -> Int32 {
        if let received { return received }
        arrived.wait()
        arrived.signal()
        return received ?? 0
    }

    /// Like `wait()`, giving up after `timeout`: `nil` when no signal arrived in time.
    public func wait(timeout: Duration) -> Int32? {
        if let received { return received }
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
        guard arrived.wait(timeout: .now() + .nanoseconds(nanoseconds)) == .success else { return nil }
        arrived.signal()
        return received
    }

    /// Stops catching: restores each signal's default action and ends the watcher's thread. Idempotent.
    public func cancel() {
        let first = state.withLock { state in
            defer { state.cancelled = true }
            return !state.cancelled
        }
        guard first else { return }
        let table = signalWriteEnds
        for number in signals where table[Int(number)] == writeEnd {
            Glibc.signal(number, SIG_DFL)
            table[Int(number)] = -1
        }
        close(writeEnd)
    }
}

/// Size of the signal → pipe table (signal numbers 1...64).
private let signalTableCount: Int32 = 65

/// For each signal number, the write end of the pipe of the watcher catching it, or -1. Allocated once and
/// never freed, so the signal handler reads plain memory (async-signal-safe).
nonisolated(unsafe) private let signalWriteEnds: UnsafeMutablePointer<Int32> = {
    let table = UnsafeMutablePointer<Int32>.allocate(capacity: Int(signalTableCount))
    table.initialize(repeating: -1, count: Int(signalTableCount))
    return table
}()

/// The signal handler: writes the signal number to its watcher's pipe; only async-signal-safe calls.
private func forwardSignal(_ number: Int32) {
    let saved = errno
    let end = signalWriteEnds[Int(number)]
    if end >= 0 {
        var byte = UInt8(truncatingIfNeeded: number)
        _ = write(end, &byte, 1)
    }
    errno = saved
}

extension ProcessGroup {
    /// Forwards termination to the children: on the first SIGINT or SIGTERM to this process, stops every
    /// child (`stopAll(grace:)`), then calls `then` with the signal number (typically to exit). Keep the
    /// returned watcher alive as long as forwarding should last.
    public func forwardTerminationSignals(
        grace: Duration, then: @escaping @Sendable (Int32) -> Void = { _ in }
    ) -> TerminationSignalWatcher {
        TerminationSignalWatcher { [weak self] number in
            self?.stopAll(grace: grace)
            then(number)
        }
    }

    /// Blocks until SIGINT or SIGTERM arrives, stops every child (`stopAll(grace:)`), and returns the signal.
    public func runUntilTerminationSignal(grace: Duration) -> Int32 {
        let watcher = TerminationSignalWatcher()
        defer { watcher.cancel() }
        let number = watcher.wait()
        stopAll(grace: grace)
        return number
    }
}
