/// posix_spawn for `ProcessGroup`: the file actions (log file, input pipe) and attributes (signal mask and
/// dispositions) of a child.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Serializes `ProcessGroup.spawn` across every group.
private let spawnLock = NSLock()

extension ProcessGroup {
    /// Signals whose disposition a child gets reset to the default.
    static let defaultedSignals: [Int32] = [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    /// Starts `spec`; returns the child's pid and the write end of its input pipe (or -1).
    static func spawn(_ spec: ProcessSpec) throws(ProcessGroupError) -> (pid_t, Int32) {
        // One spawn at a time in this process: no other child of a group can inherit a pipe end between its
        // creation and its close-on-exec flag.
        spawnLock.lock()
        defer { spawnLock.unlock() }
        var pipeEnds: [Int32] = [-1, -1]
        if spec.inputPipe {
            // Close-on-exec: no other child inherits this pipe, so the child sees EOF when the group closes it.
            guard pipe(&pipeEnds) == 0 else {
                throw ProcessGroupError(executable: spec.executable, errorNumber: errno)
            }
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if spec.inputPipe {
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], STDIN_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, spec.logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaulted = sigset_t()
        sigemptyset(&defaulted)
        for signal in defaultedSignals { sigaddset(&defaulted, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaulted)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([spec.executable] + spec.arguments).map { strdup($0) }
        let environment = spec.environment.map { $0.map { "\($0.key)=\($0.value)" } }
        let envp = environment?.map { strdup($0) }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp ?? [] { free(pointer) }
        }
        var pid: pid_t = 0
        let result = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
            withEnvironment(envp) { envpPointer in
                spec.executable.contains("/")
                    ? posix_spawn(&pid, spec.executable, &actions, &attributes, argvPointer.baseAddress!, envpPointer)
                    : posix_spawnp(&pid, spec.executable, &actions, &attributes, argvPointer.baseAddress!, envpPointer)
            }
        }
        if spec.inputPipe { close(pipeEnds[0]) }
        guard result == 0 else {
            if spec.inputPipe { close(pipeEnds[1]) }
            throw ProcessGroupError(executable: spec.executable, errorNumber: result)
        }
        return (pid, pipeEnds[1])
    }

    /// Calls `body` with a NULL-terminated `envp`, or the parent's `environ` when `envp` is nil.
    private static func withEnvironment<R>(
        _ envp: [UnsafeMutablePointer<CChar>?]?, _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        guard let envp else { return body(environ) }
        return (envp + [nil]).withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
