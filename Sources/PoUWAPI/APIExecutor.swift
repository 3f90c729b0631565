/// The threads that run the API server's Swift tasks, apart from Swift concurrency's shared pool.
import Foundation

/// A task executor on a fixed set of dedicated threads. The API server's task tree prefers it, so the server
/// keeps answering (and `APIServer.start()` returns promptly) even when other code blocks every thread of
/// the shared cooperative pool, which has only as many threads as the machine has cores.
///
/// The threads are started on first use and live as long as the process; jobs run in FIFO order.
final class APIExecutor: TaskExecutor, @unchecked Sendable {
    /// The executor of every `APIServer` in this process.
    static let shared = APIExecutor(threadCount: threadCount, name: "pouw.api")

    /// Threads of `shared`: enough that one slow handler does not stall the others.
    static let threadCount = 2

    private let condition = NSCondition()
    /// Guarded by `condition`; `head` indexes the next job to run.
    private var jobs: [UnownedJob] = []
    private var head = 0

    init(threadCount: Int, name: String) {
        for index in 0..<threadCount {
            let thread = Thread { [unowned self] in self.runJobs() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head == jobs.count || head >= 1024 {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
