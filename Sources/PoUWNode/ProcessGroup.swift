/// A group of child processes supervised together: launched with posix_spawn, their output appended to
/// per-child log files, signalled, restarted, and reaped (no zombies) by `waitAll` and `stopAll`.
import Foundation
import Synchronization
#if canImport(Glibc)
public import Glibc
#endif

/// How to start one child of a `ProcessGroup`.
public struct ProcessSpec: Sendable, Hashable {
    /// Path of the executable; a name without `/` is looked up in `PATH`.
    public var executable: String
    /// Arguments after the program name (`argv[1...]`).
    public var arguments: [String]
    /// The child's whole environment; `nil` inherits the parent's.
    public var environment: [String: String]?
    /// The child's standard output and standard error are appended to this file (created 0644 if absent).
    public var logPath: String
    /// When true the group keeps a pipe (a Unix socket pair) to the child's standard input (`write(_:to:)`,
    /// `closeInput(_:)`); otherwise standard input is `/dev/null`. A child reading its input sees end-of-file
    /// when the supervisor exits or dies, even by SIGKILL: the way to make children die with their supervisor.
    public var inputPipe: Bool

    public init(
        executable: String, arguments: [String] = [], environment: [String: String]? = nil, logPath: String,
        inputPipe: Bool = false
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.logPath = logPath
        self.inputPipe = inputPipe
    }
}

/// How a child ended.
public enum ChildExit: Sendable, Hashable, CustomStringConvertible {
    /// It called `exit(code)`.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)

    public var description: String {
        switch self {
        case .exited(let code): "exited with status \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        }
    }
}

/// Why a child could not be started.
public struct ProcessGroupError: Error, Sendable, CustomStringConvertible {
    public let executable: String
    public let errorNumber: Int32

    public var description: String {
        "cannot start \(executable): \(String(cString: strerror(errorNumber))) (errno \(errorNumber)); "
            + "check that the path exists, is executable, and that the log file's directory exists"
    }
}

/// Child processes supervised together. Children are numbered from 0 in launch order; a restarted child
/// keeps its number, its spec and its log file (appended to).
///
/// Every child is reaped by this group: `isRunning`, `exitStatus`, `waitAll` and `stopAll` collect exit
/// statuses with `waitpid`, so no child is left a zombie once it is seen to have exited, and `stopAll`
/// returns only after every child has exited and been reaped. `deinit` kills and reaps what is left.
///
/// Children start with every signal unblocked and SIGINT, SIGTERM, SIGPIPE, SIGCHLD at their default
/// disposition (whatever the supervisor blocks or ignores), in the supervisor's process group, so a
/// terminal's Ctrl-C reaches them too. If the supervisor itself is killed with SIGKILL its children live
/// on unless they watch their input: see `ProcessSpec.inputPipe`. (Linux's PR_SET_PDEATHSIG cannot be set
/// through posix_spawn.)
///
/// Thread-safe: every method may be called from any thread (a signal handler queue calling `stopAll`
/// while the main thread waits, for example).
public final class ProcessGroup: Sendable {
    private struct Child {
        var spec: ProcessSpec
        var pid: pid_t
        /// Write end of the child's input pipe, or -1.
        var input: Int32
        /// Set once the child has been reaped.
        var exit: ChildExit?
    }

    private let children = Mutex<[Child]>([])

    /// An empty group; `launch` adds children.
    public init() {}

    /// Launches every spec in order.
    /// - Throws: the first launch failure; the children launched before it keep running.
    public convenience init(launching specs: [ProcessSpec]) throws(ProcessGroupError) {
        self.init()
        for spec in specs { try launch(spec) }
    }

    deinit {
        let pids = children.withLock { $0.filter { $0.exit == nil }.map(\.pid) }
        for pid in pids { kill(pid, SIGKILL) }
        for pid in pids {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        children.withLock { for child in $0 where child.input >= 0 { close(child.input) } }
    }

    /// Number of children launched (running or not).
    public var count: Int { children.withLock { $0.count } }

    /// Starts a child; returns its number.
    @discardableResult
    public func launch(_ spec: ProcessSpec) throws(ProcessGroupError) -> Int {
        let (pid, input) = try Self.spawn(spec)
        return children.withLock {
            $0.append(Child(spec: spec, pid: pid, input: input, exit: nil))
            return $0.count - 1
        }
    }

    /// The spec child `index` was launched with.
    public func spec(_ index: Int) -> ProcessSpec { children.withLock { $0[index].spec } }

    /// The process id of child `index`'s current incarnation.
    public func pid(_ index: Int) -> pid_t { children.withLock { $0[index].pid } }

    /// Whether child `index` has not exited yet (reaping it if it has).
    public func isRunning(_ index: Int) -> Bool { exitStatus(index) == nil }

    /// How child `index` ended, or `nil` while it runs. Reaps it if it has exited.
    public func exitStatus(_ index: Int) -> ChildExit? {
        children.withLock { children in
            Self.reap(&children[index], block: false)
            return children[index].exit
        }
    }

    /// Sends `signal` to child `index` if it is still running; returns whether it was sent.
    @discardableResult
    public func signal(_ index: Int, _ signal: Int32) -> Bool {
        children.withLock { children in
            Self.reap(&children[index], block: false)
            guard children[index].exit == nil else { return false }
            return kill(children[index].pid, signal) == 0
        }
    }

    /// Kills child `index` (SIGKILL) if it runs, reaps it, and starts it again from its spec.
    public func restart(_ index: Int) throws(ProcessGroupError) {
        let spec = children.withLock { children in
            var child = children[index]
            if child.exit == nil {
                kill(child.pid, SIGKILL)
                Self.reap(&child, block: true)
            }
            if child.input >= 0 { close(child.input) }
            child.input = -1
            children[index] = child
            return child.spec
        }
        let (pid, input) = try Self.spawn(spec)
        children.withLock { $0[index] = Child(spec: spec, pid: pid, input: input, exit: nil) }
    }

    /// Writes all of `bytes` to child `index`'s input pipe; false when it has none or it closed its end
    /// (never SIGPIPE).
    @discardableResult
    public func write(_ bytes: [UInt8], to index: Int) -> Bool {
        let input = children.withLock { $0[index].input }
        guard input >= 0 else { return false }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(input, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Writes `text` (UTF-8) to child `index`'s input pipe.
    @discardableResult
    public func write(_ text: String, to index: Int) -> Bool { write(Array(text.utf8), to: index) }

    /// Closes child `index`'s input pipe: the child reads end-of-file.
    public func closeInput(_ index: Int) {
        children.withLock { children in
            if children[index].input >= 0 { close(children[index].input) }
            children[index].input = -1
        }
    }

    /// Waits until every child has exited (reaping each), or `timeout` passes; returns whether all exited.
    @discardableResult
    public func waitAll(timeout: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let running = children.withLock { children in
                for index in children.indices { Self.reap(&children[index], block: false) }
                return children.contains { $0.exit == nil }
            }
            if !running { return true }
            if clock.now >= deadline { return false }
            usleep(Self.pollMicroseconds)
        }
    }

    /// SIGTERM to every running child, SIGKILL to those still running after `grace`; returns once every
    /// child has exited and been reaped, and closes every input pipe. Idempotent.
    public func stopAll(grace: Duration) {
        let count = self.count
        for index in 0..<count { signal(index, SIGTERM) }
        if !waitAll(timeout: grace) {
            for index in 0..<count { signal(index, SIGKILL) }
        }
        children.withLock { children in
            for index in children.indices {
                Self.reap(&children[index], block: true)
                if children[index].input >= 0 { close(children[index].input) }
                children[index].input = -1
            }
        }
    }

    /// Interval between `waitpid` polls while waiting for exits.
    static let pollMicroseconds: UInt32 = 10_000

    /// Collects `child`'s exit status if it has exited (`block`: waits for it to).
    private static func reap(_ child: inout Child, block: Bool) {
        guard child.exit == nil else { return }
        var status: Int32 = 0
        var result: pid_t
        repeat {
            result = waitpid(child.pid, &status, block ? 0 : WNOHANG)
        } while result < 0 && errno == EINTR
        if result == child.pid {
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (macros).
            let signal = status & 0x7f
            child.exit = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        } else if result < 0 {
            // ECHILD: someone else reaped it; its status is lost.
            child.exit = .exited(-1)
        }
    }
}
