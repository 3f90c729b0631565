import Foundation
import PoUWNode
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ProcessGroupTests {
    /// A fresh directory for log files.
    func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pouw-pg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func sleeper(_ directory: String, _ index: Int) -> ProcessSpec {
        ProcessSpec(executable: "/bin/sleep", arguments: ["600"], logPath: "\(directory)/sleep\(index).log")
    }

    @Test func killedChildIsReapedAndRestartedWhileOthersRun() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = try ProcessGroup(launching: (0..<3).map { sleeper(dir, $0) })
        defer { group.stopAll(grace: .seconds(1)) }
        #expect(group.count == 3)
        let firstPid = group.pid(1)
        #expect(group.signal(1, SIGKILL))
        // A killed child is a zombie until reaped; exitStatus reaps it.
        while group.isRunning(1) { usleep(10_000) }
        #expect(group.exitStatus(1) == .signalled(SIGKILL))
        #expect(kill(firstPid, 0) == -1 && errno == ESRCH, "the killed child was not reaped")
        #expect(group.isRunning(0) && group.isRunning(2))

        try group.restart(1)
        #expect(group.isRunning(1))
        #expect(group.pid(1) != firstPid)
    }

    @Test func stopAllTerminatesAndReapsEveryChild() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = try ProcessGroup(launching: (0..<4).map { sleeper(dir, $0) })
        let pids = (0..<4).map { group.pid($0) }
        group.stopAll(grace: .seconds(5))
        for index in 0..<4 {
            #expect(group.exitStatus(index) == .signalled(SIGTERM))
            #expect(kill(pids[index], 0) == -1 && errno == ESRCH, "child \(index) left a zombie")
        }
        #expect(group.waitAll(timeout: .zero))
    }

    @Test func stopAllKillsChildrenThatIgnoreSIGTERMAfterTheGrace() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let stubborn = ProcessSpec(executable: "/bin/sh", arguments: ["-c", "trap '' TERM; echo ready; sleep 600"],
                                   logPath: "\(dir)/stubborn.log")
        let group = try ProcessGroup(launching: [stubborn])
        // Wait for the trap to be in place (the shell prints after setting it).
        while (try? String(contentsOfFile: stubborn.logPath, encoding: .utf8))?.contains("ready") != true {
            usleep(10_000)
        }
        group.stopAll(grace: .milliseconds(200))
        #expect(group.exitStatus(0) == .signalled(SIGKILL))
    }

    @Test func outputEnvironmentAndInputReachTheChild() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = "\(dir)/echo.log"
        let spec = ProcessSpec(
            executable: "/bin/sh", arguments: ["-c", "echo out $GREETING; echo err >&2; read line; echo got $line"],
            environment: ["GREETING": "hello", "PATH": "/bin:/usr/bin"], logPath: log, inputPipe: true)
        let group = try ProcessGroup(launching: [spec])
        defer { group.stopAll(grace: .seconds(1)) }
        #expect(group.write("ping\n", to: 0))
        #expect(group.waitAll(timeout: .seconds(30)))
        #expect(group.exitStatus(0) == .exited(0))
        // Writing to a child that has exited fails instead of raising SIGPIPE here.
        #expect(!group.write("late\n", to: 0))
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("out hello"))
        #expect(text.contains("err"))
        #expect(text.contains("got ping"))
    }

    @Test func closingInputEndsAChildReadingIt() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // `cat` exits at end of input: how a child notices its supervisor is gone.
        let specs = (0..<2).map {
            ProcessSpec(executable: "/bin/cat", logPath: "\(dir)/cat\($0).log", inputPipe: true)
        }
        let group = try ProcessGroup(launching: specs)
        defer { group.stopAll(grace: .seconds(1)) }
        group.closeInput(0)
        while group.isRunning(0) { usleep(10_000) }
        #expect(group.exitStatus(0) == .exited(0))
        // The other child did not inherit child 0's pipe (or vice versa): it still runs.
        #expect(group.isRunning(1))
    }

    @Test func missingExecutableThrowsWithThePath() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = ProcessGroup()
        #expect {
            try group.launch(ProcessSpec(executable: "/no/such/program", logPath: "\(dir)/x.log"))
        } throws: { error in
            "\(error)".contains("/no/such/program")
        }
        #expect(group.count == 0)
    }

    @Test func relaunchAppendsToTheLog() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spec = ProcessSpec(executable: "/bin/sh", arguments: ["-c", "echo line"], logPath: "\(dir)/l.log")
        let group = try ProcessGroup(launching: [spec])
        #expect(group.waitAll(timeout: .seconds(30)))
        try group.restart(0)
        #expect(group.waitAll(timeout: .seconds(30)))
        let text = try String(contentsOfFile: spec.logPath, encoding: .utf8)
        #expect(text == "line\nline\n")
    }
}

@Suite(.serialized) struct TerminationSignalWatcherTests {
    @Test func caughtSignalIsReturnedInsteadOfKillingTheProcess() throws {
        let watcher = TerminationSignalWatcher(signals: [SIGUSR2])
        defer { watcher.cancel() }
        #expect(watcher.received == nil)
        kill(getpid(), SIGUSR2)
        #expect(watcher.wait(timeout: .seconds(30)) == SIGUSR2)
        #expect(watcher.wait() == SIGUSR2)
    }

    @Test func forwardedSignalStopsEveryChild() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pouw-pgs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let group = try ProcessGroup(launching: (0..<2).map {
            ProcessSpec(executable: "/bin/sleep", arguments: ["600"], logPath: "\(dir)/s\($0).log")
        })
        let done = DispatchSemaphore(value: 0)
        let watcher = TerminationSignalWatcher(signals: [SIGUSR2]) { _ in
            group.stopAll(grace: .seconds(5))
            done.signal()
        }
        defer { watcher.cancel() }
        kill(getpid(), SIGUSR2)
        #expect(done.wait(timeout: .now() + 30) == .success)
        #expect(!group.isRunning(0) && !group.isRunning(1))
    }
}
