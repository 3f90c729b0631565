import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed set of threads, created once, that run parallel loops over index ranges.
///
/// `parallelFor` cuts `0..<count` into chunks; threads (the caller included) claim chunks until none
/// is left, and each chunk is processed start to end by one thread. Kernels that compute every
/// output element inside one chunk therefore give the same bits for any thread count.
///
/// Idle workers spin for `spinIterations` checks (a dispatch then costs well under a microsecond),
/// then sleep on a condition variable. Every `yieldInterval` checks a spinning thread yields the
/// processor, so that a preempted worker (other processes on a busy machine) gets it back soon.
/// One loop runs at a time: `parallelFor` is not reentrant and
/// must be called from one thread at a time (the owner of the model).
public final class WorkerPool: @unchecked Sendable {
    /// Most threads a pool may have.
    public static let threadCountMax = 256
    /// Checks an idle worker makes before it sleeps (tens of microseconds).
    static let spinIterations = 20_000
    /// Checks between two `sched_yield` calls of a spinning thread.
    static let yieldInterval = 2048

    /// Threads working on each loop, the caller included.
    public let threadCount: Int
    private let state: PoolState

    /// Starts `threadCount − 1` worker threads (the caller is the last one).
    public init(threadCount: Int) {
        precondition(threadCount >= 1 && threadCount <= Self.threadCountMax,
                     "thread count \(threadCount) outside 1…\(Self.threadCountMax)")
        self.threadCount = threadCount
        state = PoolState(workers: threadCount - 1)
        for _ in 1..<threadCount {
            let state = self.state
            let thread = Thread { state.workerLoop() }
            thread.name = "pouw-inference"
            thread.stackSize = 1 << 22
            thread.start()
        }
    }

    deinit { state.shutDown() }

    /// Runs `body` on chunks of `0..<count` of at most `chunk` indices, spread over the threads;
    /// returns when all chunks are done. With one thread (or one chunk) it runs inline.
    public func parallelFor(_ count: Int, chunk: Int, _ body: (Range<Int>) -> Void) {
        precondition(count >= 0 && chunk >= 1)
        if count == 0 { return }
        let chunks = (count + chunk - 1) / chunk
        if threadCount == 1 || chunks == 1 {
            body(0..<count)
            return
        }
        withoutActuallyEscaping(body) { escapable in
            state.run(Job(count: count, chunk: chunk, chunks: chunks, body: escapable))
        }
    }

    /// A chunk size giving each thread about `chunksPerThread` chunks of `count` indices, at least
    /// `minimum` indices each.
    public func chunkSize(_ count: Int, minimum: Int = 1, chunksPerThread: Int = 4) -> Int {
        max(minimum, (count + threadCount * chunksPerThread - 1) / (threadCount * chunksPerThread))
    }
}

/// One parallel loop.
struct Job {
    let count: Int
    let chunk: Int
    let chunks: Int
    let body: (Range<Int>) -> Void
}

/// The state the workers share. `job` is written by the caller before `generation` is released and
/// read by workers after they acquire the new generation; it is cleared only after every worker has
/// reported done, so no worker reads it concurrently with a write.
final class PoolState: @unchecked Sendable {
    let workers: Int
    private let generation = Atomic<Int>(0)
    private let nextChunk = Atomic<Int>(0)
    private let busyWorkers = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let liveWorkers = Atomic<Int>(0)
    private let condition = NSCondition()
    private var sleepers = 0  // guarded by `condition`
    private var job: Job?

    init(workers: Int) {
        self.workers = workers
        liveWorkers.store(workers, ordering: .relaxed)
    }

    func run(_ job: Job) {
        self.job = job
        nextChunk.store(0, ordering: .relaxed)
        busyWorkers.store(workers, ordering: .relaxed)
        generation.add(1, ordering: .releasing)
        wakeSleepers()
        work(job)
        var checks = 0
        while busyWorkers.load(ordering: .acquiring) != 0 {
            checks += 1
            if checks % WorkerPool.yieldInterval == 0 { sched_yield() }
        }
        self.job = nil
    }

    /// Claims and runs chunks until none is left.
    private func work(_ job: Job) {
        while true {
            let c = nextChunk.add(1, ordering: .relaxed).oldValue
            if c >= job.chunks { return }
            let start = c * job.chunk
            job.body(start..<min(job.count, start + job.chunk))
        }
    }

    func workerLoop() {
        var seen = 0
        while true {
            seen = waitForGeneration(after: seen)
            if stopping.load(ordering: .acquiring) { break }
            if let job { work(job) }
            busyWorkers.subtract(1, ordering: .releasing)
        }
        liveWorkers.subtract(1, ordering: .releasing)
    }

    /// Spins, then sleeps, until the generation differs from `seen`; returns the new one.
    private func waitForGeneration(after seen: Int) -> Int {
        for check in 1...WorkerPool.spinIterations {
            let g = generation.load(ordering: .acquiring)
            if g != seen { return g }
            if check % WorkerPool.yieldInterval == 0 { sched_yield() }
        }
        condition.lock()
        sleepers += 1
        while generation.load(ordering: .acquiring) == seen { condition.wait() }
        sleepers -= 1
        condition.unlock()
        return generation.load(ordering: .acquiring)
    }

    private func wakeSleepers() {
        condition.lock()
        if sleepers > 0 { condition.broadcast() }
        condition.unlock()
    }

    func shutDown() {
        stopping.store(true, ordering: .releasing)
        generation.add(1, ordering: .releasing)
        wakeSleepers()
        while liveWorkers.load(ordering: .acquiring) != 0 { Thread.sleep(forTimeInterval: 0.0001) }
    }
}
