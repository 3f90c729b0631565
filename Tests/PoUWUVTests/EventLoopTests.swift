import Dispatch
import Foundation
import PoUWUV
import Testing

@Suite struct EventLoopTests {
    @Test("closures submitted from many threads each run exactly once, on the loop thread")
    func mailboxFromManyThreads() throws {
        let threads = 8
        let perThread = 4_000
        let runs = Shared([Int](repeating: 0, count: threads * perThread))
        let offLoop = Shared(0)
        try withLoops(1) { loops in
            let loop = loops[0]
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for index in 0..<perThread {
                    let slot = thread * perThread + index
                    while true {
                        do throws(EventLoopError) {
                            try loop.submit {
                                if !loop.isInLoopThread { offLoop.update { $0 += 1 } }
                                runs.update { $0[slot] += 1 }
                            }
                            break
                        } catch .mailboxFull {
                            usleep(100)  // the loop is behind: back off and retry
                        } catch {
                            Issue.record("submit failed: \(error)")
                            return
                        }
                    }
                }
            }
            #expect(eventually { runs.value.allSatisfy { $0 >= 1 } })
        }
        #expect(runs.value.allSatisfy { $0 == 1 })
        #expect(offLoop.value == 0)
    }

    @Test("submit throws mailboxFull once capacity closures wait, and the waiting ones still run")
    func mailboxBound() throws {
        let loop = EventLoop(mailboxCapacity: 4)
        loop.start()
        defer { loop.stop() }
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try loop.submit {
            started.signal()
            release.wait()
        }
        #expect(started.wait(timeout: .now() + eventWaitSeconds) == .success)
        let ran = Shared(0)
        for _ in 0..<4 { try loop.submit { ran.update { $0 += 1 } } }
        #expect(throws: EventLoopError.mailboxFull(capacity: 4)) { try loop.submit {} }
        release.signal()
        #expect(eventually { ran.value == 4 })
    }

    @Test("submit before start and after stop throws notRunning")
    func submitOutsideLifetime() throws {
        let loop = EventLoop()
        #expect(throws: EventLoopError.notRunning) { try loop.submit {} }
        loop.start()
        loop.stop()
        #expect(throws: EventLoopError.notRunning) { try loop.submit {} }
    }

    @Test("closures accepted before stop all run, even when stop follows at once")
    func acceptedClosuresRunBeforeStop() throws {
        let ran = Shared(0)
        let loop = EventLoop()
        loop.start()
        for _ in 0..<1_000 { try loop.submit { ran.update { $0 += 1 } } }
        loop.stop()
        #expect(ran.value == 1_000)
    }

    @Test("a loop never started can be stopped and released")
    func stopWithoutStart() {
        let loop = EventLoop()
        loop.stop()
        #expect(throws: EventLoopError.notRunning) { try loop.submit {} }
    }

    @Test("timers fire in order of their deadlines, ties in the order scheduled")
    func timersInOrder() throws {
        let fired = Shared<[String]>([])
        // Each delay counts from the moment of its own `schedule` call, which lies between the two
        // clock readings around it: the deadline is known to within that window.
        let deadlines = Shared<[String: ClosedRange<UInt64>]>([:])
        let clock = SystemClock()
        try withLoops(1) { loops in
            let loop = loops[0]
            try onLoop(loop) {
                for (name, milliseconds) in [("e", 50), ("a", 10), ("c", 30), ("b1", 20), ("d", 40), ("b2", 20)] {
                    let delay = UInt64(milliseconds) * 1_000_000
                    let before = clock.monotonicNanoseconds()
                    loop.schedule(after: delay) { fired.append(name) }
                    let after = clock.monotonicNanoseconds()
                    deadlines.update { $0[name] = (before + delay)...(after + delay) }
                }
            }
            #expect(eventually { fired.value.count == 6 })
            #expect(try onLoop(loop) { loop.pendingTimerCount } == 0)
        }
        let order = fired.value
        #expect(Set(order) == ["a", "b1", "b2", "c", "d", "e"])
        // libuv's clock has whole milliseconds: deadlines closer than 2 ms may fire either way round.
        let slackNanoseconds: UInt64 = 2_000_000
        for (earlier, later) in zip(order, order.dropFirst()) {
            let (first, second) = (deadlines.value[earlier]!, deadlines.value[later]!)
            #expect(first.lowerBound <= second.upperBound + slackNanoseconds, "\(order)")
        }
        #expect(order.firstIndex(of: "b1")! < order.firstIndex(of: "b2")!)
    }

    @Test("a repeating timer fires until cancelled; a cancelled timer never fires")
    func repeatingAndCancelledTimers() throws {
        let ticks = Shared(0)
        let cancelledFired = Shared(false)
        try withLoops(1) { loops in
            let loop = loops[0]
            let repeating = try onLoop(loop) {
                let cancelled = loop.schedule(after: 20_000_000) { cancelledFired.update { $0 = true } }
                loop.cancel(cancelled)
                loop.cancel(cancelled)
                return loop.schedule(after: 1_000_000, repeating: 1_000_000) { ticks.update { $0 += 1 } }
            }
            #expect(eventually { ticks.value >= 3 })
            try onLoop(loop) { loop.cancel(repeating) }
            let afterCancel = ticks.value
            // The cancelled one-shot was due at 20 ms; a marker at 40 ms proves its time has passed.
            let marker = Shared(false)
            try onLoop(loop) { loop.schedule(after: 40_000_000) { marker.update { $0 = true } } }
            #expect(eventually { marker.value })
            #expect(ticks.value == afterCancel)
            #expect(try onLoop(loop) { loop.pendingTimerCount } == 0)
        }
        #expect(!cancelledFired.value)
    }

    @Test("the loop stops cleanly with timers and signal watchers still pending")
    func stopWithPendingHandles() throws {
        let fired = Shared(false)
        let loop = EventLoop()
        loop.start()
        try onLoop(loop) {
            loop.schedule(after: 3_600_000_000_000) { fired.update { $0 = true } }
            loop.schedule(after: 1_000_000_000, repeating: 1_000_000_000) { fired.update { $0 = true } }
            loop.handleSignals([.interrupt]) { _ in }
            #expect(loop.pendingTimerCount == 2)
        }
        loop.stop()
        #expect(!fired.value)
        #expect(throws: EventLoopError.notRunning) { try loop.submit {} }
    }

    @Test("SIGTERM calls the installed handler on the loop thread, which can stop the loop")
    func signalHandler() throws {
        let caught = Shared<[Signal]>([])
        let onLoopThread = Shared(false)
        let loop = EventLoop()
        loop.start()
        try onLoop(loop) {
            loop.handleSignals { signal in
                caught.append(signal)
                onLoopThread.update { $0 = loop.isInLoopThread }
                loop.requestStop()
            }
        }
        kill(getpid(), SIGTERM)
        loop.waitUntilStopped()
        #expect(caught.value == [.terminate])
        #expect(onLoopThread.value)
    }

    @Test("isInLoopThread is true only on the loop thread")
    func loopThreadCheck() throws {
        try withLoops(1) { loops in
            let loop = loops[0]
            #expect(!loop.isInLoopThread)
            let inside = try onLoop(loop) { loop.isInLoopThread }
            #expect(inside)
        }
    }
}

@Suite struct SystemClockTests {
    @Test("monotonic time never goes backwards")
    func monotonic() {
        let clock = SystemClock()
        var previous = clock.monotonicNanoseconds()
        for _ in 0..<10_000 {
            let now = clock.monotonicNanoseconds()
            #expect(now >= previous)
            previous = now
        }
    }

    @Test("wall time agrees with Foundation's clock to within a minute")
    func wallTime() {
        let ours = Double(SystemClock().unixMilliseconds())
        let foundation = Date().timeIntervalSince1970 * 1_000
        #expect(abs(ours - foundation) < 60_000)
    }
}
