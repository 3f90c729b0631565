import PoUWInference
import Synchronization
import Testing

@Suite struct WorkerPoolTests {
    @Test("every index is visited exactly once, for any thread count and chunk size",
          arguments: [1, 2, 3, 8], [1, 7, 64])
    func coversEveryIndexOnce(threads: Int, chunk: Int) {
        let pool = WorkerPool(threadCount: threads)
        let count = 1000
        // Each index belongs to one chunk, so plain increments do not race unless an index is repeated.
        let visits = UnsafeMutablePointer<Int>.allocate(capacity: count)
        defer { visits.deallocate() }
        visits.initialize(repeating: 0, count: count)
        for _ in 0..<20 {
            pool.parallelFor(count, chunk: chunk) { range in
                for i in range { visits[i] += 1 }
            }
        }
        #expect(UnsafeBufferPointer(start: visits, count: count).allSatisfy { $0 == 20 })
    }

    @Test("loops after the workers fell asleep still run on all chunks")
    func wakesSleepingWorkers() {
        let pool = WorkerPool(threadCount: 3)
        let total = Atomic<Int>(0)
        for round in 0..<3 {
            if round > 0 { spinWait() }
            pool.parallelFor(100, chunk: 1) { range in total.add(range.count, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 300)
    }

    /// Busy work long enough for idle workers to pass their spin limit and sleep.
    func spinWait() {
        var x: UInt64 = 1
        for i in 0..<5_000_000 { x = x &* 6_364_136_223_846_793_005 &+ UInt64(i) }
        #expect(x != 0)
    }
}
