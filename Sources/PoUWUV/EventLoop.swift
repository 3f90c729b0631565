/// The libuv loop thread: lifecycle, the thread-safe mailbox, and the loop-thread check.
internal import CLibUV
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why `EventLoop.submit` refused a closure.
public enum EventLoopError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `capacity` closures are already waiting: the loop thread is not keeping up.
    case mailboxFull(capacity: Int)
    /// The loop was never started, or is stopping or stopped.
    case notRunning

    public var description: String {
        switch self {
        case .mailboxFull(let capacity):
            "event loop mailbox full (\(capacity) closures waiting): the loop thread is overloaded; retry later"
        case .notRunning:
            "event loop is not running: start() it first, or stop submitting after stop()"
        }
    }
}

/// One libuv loop on one dedicated thread, which owns every handle of the loop (timers, signals,
/// sockets) and runs every callback.
///
/// Threads: `start`, `submit`, `requestStop`, `stop`, `waitUntilStopped` and `isInLoopThread` may be
/// called from any thread. Everything else in PoUWUV (timers, signals, TCP, peers) must be called on
/// the loop thread, from a callback or a submitted closure; it checks that with a `precondition`.
///
/// Shutdown: `stop()` runs every closure already accepted by `submit`, closes every handle
/// (`uv_walk` + `uv_close`; open connections report `CloseReason.loopStopped`), runs the loop until
/// it drains, checks that `uv_loop_close` succeeds, and joins the thread.
public final class EventLoop: @unchecked Sendable {
    /// Default `mailboxCapacity`: closures waiting for the loop thread.
    public static let mailboxCapacityDefault = 65_536

    /// Most closures waiting in the mailbox at once; `submit` throws `.mailboxFull` beyond it.
    public let mailboxCapacity: Int

    private enum Phase {
        case created, starting, running, stopping, stopped
    }

    /// State shared between threads, guarded by `shared`.
    private struct Shared {
        var phase = Phase.created
        var stopRequestedWhileStarting = false
        var mailbox: [@Sendable () -> Void] = []
        var loopThread: uv_thread_t?
        var threadToJoin: uv_thread_t?
    }

    private let shared = Mutex(Shared())
    /// Entered by `start`, left when the loop thread has closed the loop.
    private let finished = DispatchGroup()
    /// The loop itself; initialised and closed on the loop thread.
    let uvLoop: UnsafeMutablePointer<uv_loop_t>
    /// The async handle that wakes the loop for the mailbox and for `requestStop`.
    private let wakeup: Wakeup

    // Loop-thread state.
    /// Set once the loop began closing every handle; no new handle is opened after it.
    private(set) var isClosingAll = false
    var timers: [TimerID: LoopTimer] = [:]
    var timersCreated: UInt64 = 0
    var signalWatchers: [Signal: SignalWatcher] = [:]

    /// - Precondition: `mailboxCapacity >= 1`.
    public init(mailboxCapacity: Int = EventLoop.mailboxCapacityDefault) {
        precondition(mailboxCapacity >= 1, "mailboxCapacity must be at least 1, got \(mailboxCapacity)")
        self.mailboxCapacity = mailboxCapacity
        uvLoop = .allocate(capacity: 1)
        wakeup = Wakeup()
        wakeup.loop = self
    }

    deinit {
        let thread = shared.withLock { state -> uv_thread_t? in
            precondition(state.phase == .created || state.phase == .stopped,
                         "an EventLoop was released while running: call stop() first")
            return state.threadToJoin
        }
        if var thread {
            // The last reference went away without stop(): reclaim the finished thread.
            var current = uv_thread_self()
            if uv_thread_equal(&thread, &current) != 0 { pthread_detach(thread) } else { uv_thread_join(&thread) }
        }
        uvLoop.deallocate()
    }

    /// Whether the caller runs on this loop's thread.
    public var isInLoopThread: Bool {
        var current = uv_thread_self()
        return shared.withLock { state in
            guard var loopThread = state.loopThread else { return false }
            return uv_thread_equal(&loopThread, &current) != 0
        }
    }

    /// Traps unless called on the loop thread: PoUWUV's handles are not thread-safe.
    func preconditionInLoop(_ function: StaticString = #function) {
        precondition(isInLoopThread, "\(function) must run on the event loop thread: call it via submit")
    }

    /// Spawns the loop thread and returns once the loop is running.
    /// - Precondition: called once.
    public func start() {
        shared.withLock { state in
            precondition(state.phase == .created, "EventLoop.start() called twice")
            state.phase = .starting
        }
        let ready = DispatchSemaphore(value: 0)
        finished.enter()
        var thread = uv_thread_t()
        let context = Unmanaged.passRetained(LoopThreadContext(loop: self, ready: ready)).toOpaque()
        let status = uv_thread_create(&thread, eventLoopThreadMain, context)
        precondition(status == 0, "uv_thread_create failed: \(UVError(code: status))")
        shared.withLock { $0.threadToJoin = thread }
        ready.wait()
    }

    /// Queues `work` to run once on the loop thread, after the closures queued before it.
    /// - Throws: `.mailboxFull` when `mailboxCapacity` closures are waiting, `.notRunning` before
    ///   `start` or after `requestStop`. A closure that was accepted always runs, even if the loop
    ///   is stopped right after.
    public func submit(_ work: @escaping @Sendable () -> Void) throws(EventLoopError) {
        try shared.withLock { state throws(EventLoopError) in
            guard state.phase == .running else { throw .notRunning }
            guard state.mailbox.count < mailboxCapacity else { throw .mailboxFull(capacity: mailboxCapacity) }
            state.mailbox.append(work)
            if state.mailbox.count == 1 { wakeup.send() }
        }
    }

    /// Asks the loop to stop and returns at once; callable from any thread, the loop thread included
    /// (a signal handler does this). A second call does nothing.
    public func requestStop() {
        shared.withLock { state in
            switch state.phase {
            case .created: state.phase = .stopped
            case .starting: state.stopRequestedWhileStarting = true
            case .running:
                state.phase = .stopping
                wakeup.send()
            case .stopping, .stopped: break
            }
        }
    }

    /// Waits until the loop thread has finished (after a `requestStop` from anywhere) and joins it.
    /// - Precondition: not called on the loop thread.
    public func waitUntilStopped() {
        precondition(!isInLoopThread, "waitUntilStopped() on the loop thread would wait for itself")
        finished.wait()
        let thread = shared.withLock { state -> uv_thread_t? in
            defer { state.threadToJoin = nil }
            return state.threadToJoin
        }
        if var thread { uv_thread_join(&thread) }
    }

    /// `requestStop()` then `waitUntilStopped()`.
    /// - Precondition: not called on the loop thread (use `requestStop()` there).
    public func stop() {
        precondition(!isInLoopThread, "stop() on the loop thread would wait for itself: call requestStop()")
        requestStop()
        waitUntilStopped()
    }

    /// The loop thread's whole life.
    fileprivate func runOnLoopThread(ready: DispatchSemaphore) {
        Self.blockBrokenPipeSignal()
        var status = uv_loop_init(uvLoop)
        precondition(status == 0, "uv_loop_init failed: \(UVError(code: status))")
        status = uv_async_init(uvLoop, wakeup.async, eventLoopWakeupCallback)
        precondition(status == 0, "uv_async_init failed: \(UVError(code: status))")
        wakeup.adopt()
        shared.withLock { state in
            state.phase = state.stopRequestedWhileStarting ? .stopping : .running
            state.loopThread = uv_thread_self()
            if state.phase == .stopping { wakeup.send() }
        }
        ready.signal()
        // Returns only when no handle is left: the wakeup handle keeps it alive until `closeAll`.
        _ = uv_run(uvLoop, UV_RUN_DEFAULT)
        precondition(isClosingAll, "the event loop ran out of handles before it was stopped")
        status = uv_loop_close(uvLoop)
        precondition(status == 0, "uv_loop_close failed (\(UVError(code: status))): a handle outlived stop()")
        shared.withLock { state in
            state.phase = .stopped
            state.loopThread = nil
        }
        finished.leave()
    }

    /// libuv writes to sockets with `write(2)`, which raises SIGPIPE (default action: kill the
    /// process) when the peer has closed. Blocked on the loop thread, the signal stays pending there
    /// and the write fails with EPIPE instead, which closes the connection with `.failed`.
    private static func blockBrokenPipeSignal() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGPIPE)
        let status = pthread_sigmask(SIG_BLOCK, &signals, nil)
        precondition(status == 0, "pthread_sigmask(SIG_BLOCK, SIGPIPE) failed: \(status)")
    }

    /// Runs the mailbox; after a stop request, closes every handle.
    fileprivate func wakeupFired() {
        let (batch, stopping) = shared.withLock { state in
            defer { state.mailbox = [] }
            return (state.mailbox, state.phase == .stopping)
        }
        for work in batch { work() }
        if stopping && !isClosingAll { closeAll() }
    }

    /// Closes every handle of the loop: `uv_walk` visits them, each owner records why and closes.
    private func closeAll() {
        isClosingAll = true
        uv_walk(uvLoop, eventLoopCloseForStopCallback, nil)
    }
}

/// The async handle that wakes the loop thread.
final class Wakeup: UVHandleOwner {
    let uvHandle = UVHandleMemory(type: UV_ASYNC)
    weak var loop: EventLoop?

    var async: UnsafeMutablePointer<uv_async_t> { uvHandle.typed() }

    /// Thread-safe; only called while the handle is open (under the loop's lock, phase running or
    /// just switched to stopping).
    func send() {
        let status = uv_async_send(async)
        precondition(status == 0, "uv_async_send failed: \(UVError(code: status))")
    }
}

/// What the loop thread's entry point receives.
private final class LoopThreadContext {
    let loop: EventLoop
    let ready: DispatchSemaphore

    init(loop: EventLoop, ready: DispatchSemaphore) {
        self.loop = loop
        self.ready = ready
    }
}

private func eventLoopThreadMain(_ argument: UnsafeMutableRawPointer?) {
    let context = Unmanaged<LoopThreadContext>.fromOpaque(argument!).takeRetainedValue()
    context.loop.runOnLoopThread(ready: context.ready)
}

private func eventLoopWakeupCallback(_ async: UnsafeMutablePointer<uv_async_t>?) {
    Wakeup.owner(of: async).loop?.wakeupFired()
}

private func eventLoopCloseForStopCallback(_ handle: UnsafeMutablePointer<uv_handle_t>?, _: UnsafeMutableRawPointer?) {
    guard let handle, uv_is_closing(handle) == 0 else { return }
    uvHandleOwner(of: handle).closeForLoopStop()
}
