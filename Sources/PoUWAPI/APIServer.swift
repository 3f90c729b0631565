/// The node's HTTP API server: Hummingbird on its own event loop threads, in the background of the caller.
import Dispatch
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Why the API server could not start.
public enum APIServerError: Error, Sendable, CustomStringConvertible {
    /// Binding or listening failed (port taken, address not local, …).
    case cannotListen(host: String, port: Int, reason: String)
    /// `start()` was called on a server that is running or was stopped.
    case alreadyStarted

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let reason):
            "the API cannot listen on \(host):\(port): \(reason); choose another port (api.listen in config.toml) "
                + "or stop the process using it"
        case .alreadyStarted:
            "the API server was already started; create a new APIServer to start again"
        }
    }
}

/// Serves the node API (`APIRoutes`) over HTTP/1.1 from `backend`.
///
/// `start()` returns once the socket listens; the server then runs on Hummingbird's event loop threads and
/// the API's own task threads (`APIExecutor`), never on the caller's thread. `stop()` shuts it down
/// gracefully (stops accepting, lets requests in flight finish for up to `stopGraceSeconds`) and returns
/// once the socket is closed. One start per server.
///
/// `start()` and `stop()` block the calling thread until the server is up (or down). They may be called
/// from any thread, the node's loop thread included; since the server's tasks run on their own threads,
/// blocking a thread of Swift concurrency's pool does not stall them. One exception: ServiceLifecycle
/// delivers the shutdown through an unstructured task on the shared pool, so `stop()` waits for a free pool
/// thread (seen as up to a few seconds in a test process whose other tests block the pool).
public final class APIServer: Sendable {
    /// Largest request body accepted (`POST /txs`); a larger one is answered 413.
    public static let bodyBytesMax = 64 * 1024
    /// How long `stop()` lets requests in flight finish before cancelling them.
    public static let stopGraceSeconds = 5

    private enum State {
        case idle
        case running(group: ServiceGroup, task: Task<Void, Never>, finished: DispatchSemaphore)
        case stopped
    }

    private let backend: any NodeAPIBackend
    private let host: String
    private let port: Int
    private let state = Mutex<State>(.idle)

    /// - Parameters:
    ///   - host: address to bind (`127.0.0.1` keeps the API local; `0.0.0.0` exposes it).
    ///   - port: TCP port; 0 picks a free one (`start()` returns it).
    public init(backend: any NodeAPIBackend, host: String, port: Int) {
        precondition((0...65_535).contains(port), "port \(port) is out of range")
        self.backend = backend
        self.host = host
        self.port = port
    }

    deinit { stop() }

    /// Binds and starts serving in the background; returns the bound port.
    /// - Throws: `APIServerError.cannotListen` when the address cannot be bound.
    @discardableResult
    public func start() throws(APIServerError) -> Int {
        let claimed = state.withLock { state in
            guard case .idle = state else { return false }
            state = .stopped
            return true
        }
        guard claimed else { throw .alreadyStarted }

        var logger = Logger(label: "pouw.api")
        logger.logLevel = .warning
        let outcome = Outcome()
        let app = Application(
            router: APIRoutes.router(backend: backend, bodyBytesMax: Self.bodyBytesMax),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in outcome.settle(.success(channel.localAddress?.port ?? 0)) },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [], logger: logger)
        )
        let finished = DispatchSemaphore(value: 0)
        let task = Task.detached(executorPreference: APIExecutor.shared) {
            do {
                try await group.run()
                outcome.settle(.failure("the server stopped before it listened"))
            } catch {
                outcome.settle(.failure("\(error)"))
            }
            finished.signal()
        }
        switch outcome.wait() {
        case .success(let bound):
            state.withLock { $0 = .running(group: group, task: task, finished: finished) }
            return bound
        case .failure(let reason):
            finished.wait()
            throw .cannotListen(host: host, port: port, reason: reason.text)
        }
    }

    /// Stops serving and closes the socket; returns once the server has shut down. Idempotent.
    public func stop() {
        let running = state.withLock { state -> (ServiceGroup, Task<Void, Never>, DispatchSemaphore)? in
            defer { state = .stopped }
            guard case .running(let group, let task, let finished) = state else { return nil }
            return (group, task, finished)
        }
        guard let (group, task, finished) = running else { return }
        Task.detached(executorPreference: APIExecutor.shared) { await group.triggerGracefulShutdown() }
        if finished.wait(timeout: .now() + .seconds(Self.stopGraceSeconds)) == .timedOut {
            task.cancel()
            finished.wait()
        }
    }
}

/// A failure reason carried as text across the start handshake.
private struct FailureText: Error {
    let text: String
}

extension FailureText: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    init(stringLiteral value: String) { text = value }
}

/// The first of "listening on port P" or "failed", handed from the server task to `start()`.
private final class Outcome: Sendable {
    private let result = Mutex<Result<Int, FailureText>?>(nil)
    private let settled = DispatchSemaphore(value: 0)

    /// Records `value` unless an outcome is already recorded.
    func settle(_ value: Result<Int, FailureText>) {
        let first = result.withLock { result in
            guard result == nil else { return false }
            result = value
            return true
        }
        if first { settled.signal() }
    }

    func wait() -> Result<Int, FailureText> {
        settled.wait()
        return result.withLock { $0! }
    }
}
