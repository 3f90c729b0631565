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
    /// Largest request body accepted (`POST /txs`; `/v1/…` bodies have `InferenceLimits.bodyBytesMax`); a larger
    /// one is answered 413.
    public static let bodyBytesMax = 64 * 1024
    /// How long `stop()` lets requests in flight finish before cancelling them.
    public static let stopGraceSeconds = 5

    private enum State {
        case idle
        /// `start()` is binding; a `stop()` now marks `stopped` and `start()` shuts the server down.
        case starting
        case running(Running)
        case stopped
    }

    /// A started server: its service group, the task running it, and the signal that the task finished.
    private struct Running {
        let group: ServiceGroup
        let task: Task<Void, Never>
        let finished: DispatchSemaphore
    }

    private let backend: any NodeAPIBackend
    private let inference: (any InferenceAPIBackend)?
    private let inferenceLimits: InferenceLimits
    private let host: String
    private let port: Int
    private let state = Mutex<State>(.idle)

    /// - Parameters:
    ///   - host: address to bind (`127.0.0.1` keeps the API local; `0.0.0.0` exposes it).
    ///   - port: TCP port; 0 picks a free one (`start()` returns it).
    ///   - inference: runs the OpenAI-compatible `/v1/…` requests; `nil`: they are answered 503.
    ///   - inferenceLimits: the bounds of those requests.
    public init(
        backend: any NodeAPIBackend, inference: (any InferenceAPIBackend)? = nil,
        inferenceLimits: InferenceLimits = InferenceLimits(), host: String, port: Int
    ) {
        precondition((0...65_535).contains(port), "port \(port) is out of range")
        self.backend = backend
        self.inference = inference
        self.inferenceLimits = inferenceLimits
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
            state = .starting
            return true
        }
        guard claimed else { throw .alreadyStarted }

        var logger = Logger(label: "pouw.api")
        logger.logLevel = .warning
        let outcome = Outcome()
        let app = Application(
            router: APIRoutes.router(
                backend: backend, bodyBytesMax: Self.bodyBytesMax, inference: inference,
                inferenceLimits: inferenceLimits),
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
        let running = Running(group: group, task: task, finished: finished)
        switch outcome.wait() {
        case .success(let bound):
            let stoppedMeanwhile = state.withLock { state in
                guard case .starting = state else { return true }
                state = .running(running)
                return false
            }
            if stoppedMeanwhile { Self.shutDown(running) }
            return bound
        case .failure(let reason):
            state.withLock { $0 = .stopped }
            finished.wait()
            throw .cannotListen(host: host, port: port, reason: reason.text)
        }
    }

    /// Stops serving and closes the socket; returns once the server has shut down. Idempotent. Called while
    /// another thread is inside `start()`, it returns at once and that `start()` shuts the server down
    /// before returning.
    public func stop() {
        let running = state.withLock { state -> Running? in
            defer { state = .stopped }
            guard case .running(let running) = state else { return nil }
            return running
        }
        if let running { Self.shutDown(running) }
    }

    /// Graceful shutdown, then cancellation if it takes over `stopGraceSeconds`; returns once the task ended.
    private static func shutDown(_ running: Running) {
        let group = running.group
        Task.detached(executorPreference: APIExecutor.shared) { await group.triggerGracefulShutdown() }
        if running.finished.wait(timeout: .now() + .seconds(stopGraceSeconds)) == .timedOut {
            running.task.cancel()
            running.finished.wait()
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
