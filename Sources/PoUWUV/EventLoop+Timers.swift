/// One-shot and repeating timers on the loop thread.
internal import CLibUV

/// Names a timer for `EventLoop.cancel`. Unique per loop.
public struct TimerID: Hashable, Sendable, CustomStringConvertible {
    let number: UInt64

    public var description: String { "timer#\(number)" }
}

extension EventLoop {
    /// Runs `body` on the loop thread after `delayNanoseconds`, then every `intervalNanoseconds` if
    /// given, until cancelled or the loop stops. libuv counts in milliseconds: both durations are
    /// rounded up to the next whole millisecond, so a timer never fires early. Timers due at the same
    /// time fire in the order they were scheduled. Scheduling while the loop stops returns an id
    /// whose timer never fires.
    /// - Precondition: on the loop thread; `intervalNanoseconds`, if given, is above 0.
    @discardableResult
    public func schedule(
        after delayNanoseconds: UInt64, repeating intervalNanoseconds: UInt64? = nil, _ body: @escaping () -> Void
    ) -> TimerID {
        preconditionInLoop()
        if let intervalNanoseconds {
            precondition(intervalNanoseconds > 0, "a repeating timer needs an interval above 0 ns")
        }
        timersCreated += 1
        let id = TimerID(number: timersCreated)
        guard !isClosingAll else { return id }
        let timer = LoopTimer(id: id, loop: self, repeats: intervalNanoseconds != nil, body: body)
        let status = uv_timer_init(uvLoop, timer.timer)
        precondition(status == 0, "uv_timer_init failed: \(UVError(code: status))")
        timer.adopt()
        timers[id] = timer
        uv_update_time(uvLoop)
        uv_timer_start(timer.timer, loopTimerCallback, Self.milliseconds(roundingUp: delayNanoseconds),
                       intervalNanoseconds.map { Self.milliseconds(roundingUp: $0) } ?? 0)
        return id
    }

    /// Stops the timer; it will not fire again. Cancelling a fired one-shot timer, or twice, does
    /// nothing.
    /// - Precondition: on the loop thread.
    public func cancel(_ id: TimerID) {
        preconditionInLoop()
        timers.removeValue(forKey: id)?.closeHandle()
    }

    /// Timers scheduled and not yet fired (one-shot), cancelled or stopped.
    /// - Precondition: on the loop thread.
    public var pendingTimerCount: Int {
        preconditionInLoop()
        return timers.count
    }

    static func milliseconds(roundingUp nanoseconds: UInt64) -> UInt64 {
        let perMillisecond: UInt64 = 1_000_000
        return nanoseconds / perMillisecond + (nanoseconds % perMillisecond == 0 ? 0 : 1)
    }
}

/// A libuv timer and the closure it runs.
final class LoopTimer: UVHandleOwner {
    let uvHandle = UVHandleMemory(type: UV_TIMER)
    let id: TimerID
    let repeats: Bool
    private unowned let loop: EventLoop
    private var body: (() -> Void)?

    init(id: TimerID, loop: EventLoop, repeats: Bool, body: @escaping () -> Void) {
        self.id = id
        self.loop = loop
        self.repeats = repeats
        self.body = body
    }

    var timer: UnsafeMutablePointer<uv_timer_t> { uvHandle.typed() }

    func fire() {
        guard let body, !isClosing else { return }
        if !repeats {
            loop.timers.removeValue(forKey: id)
            closeHandle()
        }
        body()
    }

    func handleDidClose() {
        body = nil
        if loop.timers[id] === self { loop.timers.removeValue(forKey: id) }
    }
}

private func loopTimerCallback(_ handle: UnsafeMutablePointer<uv_timer_t>?) {
    LoopTimer.owner(of: handle).fire()
}
