/// posix_spawn for `ProcessGroup`: the file actions (log file, input pipe) and attributes (signal mask and
/// dispositions) of a child.
#if canImport(Glibc)
import Glibc
#endif

extension ProcessGroup {
    /// Signals whose disposition a child gets reset to the default.
    static let defaultedSignals: [Int32] = [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    /// Starts `spec`; returns the child's pid and the write end of its input pipe (or -1).
    static func spawn(_ spec: ProcessSpec) throws(ProcessGroupError) -> (pid_t, Int32) {
        var pipeEnds: [Int32] = [-1, -1]
        if spec.inputPipe {
            // A socket pair rather than a pipe: writing to a child that has exited fails with EPIPE
            // (MSG_NOSIGNAL) instead of raising SIGPIPE in the supervisor. Close-on-exec, set atomically: no
            // other child inherits either end, so the child sees EOF once the group closes its end.
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
            guard socketpair(AF_UNIX, type, 0, &pipeEnds) == 0 else {
                throw ProcessGroupError(executable: spec.executable, errorNumber: errno)
            }
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
