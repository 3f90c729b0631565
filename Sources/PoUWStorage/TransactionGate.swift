import Foundation

/// Bookkeeping of the transactions a store has open in this process, per thread.
///
/// It serves two purposes. LMDB may only change its map size while no transaction of the process is
/// open ("the library does not check"), so `withExclusive` waits for open reads to end and keeps new
/// ones out meanwhile (writers are already kept out by the store's writer lock, which its caller holds).
/// And it knows which thread runs the write closure and which threads have reads open, so that a
/// `write` nested in a `write` or `read`, which would deadlock, stops with a clear message instead.
/// A thread that already has a read open may open another even while an exclusive section waits:
/// making it wait would deadlock on itself.
final class TransactionGate: @unchecked Sendable {
    private let condition = NSCondition()
    /// Open reads per thread (absent means none).
    private var readDepthByThread: [ObjectIdentifier: Int] = [:]
    private var readsOpen = 0
    private var exclusiveWaiting = false
    private var exclusiveHeld = false
    private var writerThread: ObjectIdentifier?
    private var closed = false

    private static var currentThread: ObjectIdentifier { ObjectIdentifier(Thread.current) }

    /// Registers a read on this thread, waiting while an exclusive section runs or waits.
    func enterRead() {
        let thread = Self.currentThread
        condition.lock()
        defer { condition.unlock() }
        let depth = readDepthByThread[thread, default: 0]
        if depth == 0 && writerThread != thread {
            while exclusiveWaiting || exclusiveHeld { condition.wait() }
        }
        precondition(!closed, "the store was used after close()")
        readDepthByThread[thread] = depth + 1
        readsOpen += 1
    }

    func leaveRead() {
        let thread = Self.currentThread
        condition.lock()
        defer { condition.unlock() }
        let depth = readDepthByThread[thread, default: 0]
        precondition(depth > 0, "leaveRead without enterRead")
        readDepthByThread[thread] = depth == 1 ? nil : depth - 1
        readsOpen -= 1
        if readsOpen == 0 { condition.broadcast() }
    }

    /// Reads this thread has open.
    var readDepthOfCurrentThread: Int {
        condition.lock()
        defer { condition.unlock() }
        return readDepthByThread[Self.currentThread, default: 0]
    }

    /// Stops the process when this thread has a transaction open, so `operation` (a write or close,
    /// which take the writer lock and wait for reads to end) would deadlock.
    func checkCurrentThreadHasNoTransaction(_ operation: String) {
        let thread = Self.currentThread
        condition.lock()
        defer { condition.unlock() }
        precondition(writerThread != thread, "\(operation) called inside a write closure; it would deadlock")
        precondition(readDepthByThread[thread] == nil, "\(operation) called inside a read closure; it would deadlock")
    }

    /// Marks this thread as the writer (the caller holds the writer lock) or clears the mark.
    func setCurrentThreadIsWriter(_ isWriter: Bool) {
        condition.lock()
        defer { condition.unlock() }
        precondition(!closed, "the store was used after close()")
        writerThread = isWriter ? Self.currentThread : nil
    }

    var currentThreadIsWriter: Bool {
        condition.lock()
        defer { condition.unlock() }
        return writerThread == Self.currentThread
    }

    /// Runs `body` while no read is open and none can begin. The caller holds the writer lock and has
    /// no transaction open itself.
    func withExclusive<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        precondition(readDepthByThread[Self.currentThread] == nil, "exclusive section entered with a read open")
        exclusiveWaiting = true
        while readsOpen > 0 { condition.wait() }
        exclusiveWaiting = false
        exclusiveHeld = true
        condition.unlock()
        defer {
            condition.lock()
            exclusiveHeld = false
            condition.broadcast()
            condition.unlock()
        }
        return try body()
    }

    /// Waits for open reads to end and marks the store closed; `false` if it already was. The caller
    /// holds the writer lock.
    func close() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        exclusiveWaiting = true
        while readsOpen > 0 { condition.wait() }
        exclusiveWaiting = false
        closed = true
        condition.broadcast()
        return true
    }
}
