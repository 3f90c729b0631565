import Foundation
import PoUWAPI
import PoUWCore
import Synchronization
import Testing

@Suite(.serialized)
struct APIServerTests {
    /// Starts a server on an ephemeral port, runs `body` with a client of it on a plain thread, stops it.
    func withServer<T: Sendable>(
        _ backend: FakeBackend = FakeBackend(), _ body: @escaping @Sendable (APIClient) throws -> T
    ) async throws -> T {
        try await onThread {
            let server = APIServer(backend: backend, host: "127.0.0.1", port: 0)
            let port = try server.start()
            defer { server.stop() }
            return try body(APIClient(baseURL: "http://127.0.0.1:\(port)"))
        }
    }

    @Test func statusRoundTripsThroughJSON() async throws {
        let status = try await withServer { client -> StatusView in try client.status() }
        #expect(status == FakeBackend.statusView)
        #expect(status.peers == 2)
    }

    @Test func blockIsServedAndMissingBlockIs404() async throws {
        let (block, missing) = try await withServer { client -> (BlockView, APIClientError?) in
            let block = try client.block(1)
            do {
                _ = try client.block(2)
                return (block, nil)
            } catch {
                return (block, error as? APIClientError)
            }
        }
        #expect(block == FakeBackend.blockView)
        guard case .api(let status, let error)? = missing else {
            Issue.record("expected a 404, got \(String(describing: missing))")
            return
        }
        #expect(status == 404)
        #expect(error.type == APIError.notFoundType)
    }

    @Test func accountKeepsFullUInt64Amounts() async throws {
        let account = try await withServer { client -> AccountView in try client.account(FakeBackend.key) }
        #expect(account.balance == UInt64.max)
        #expect(account.key == Hex.encode(FakeBackend.key.bytes))
    }

    @Test func badHexKeyIs400WithOpenAIStyleError() async throws {
        let answer = try await withServer { try $0.request(method: "GET", path: "/accounts/xyz") }
        #expect(answer.status == 400)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["type"] as? String == APIError.invalidRequestType)
        #expect(error["code"] as? String == "bad_key")
        #expect(error.keys.sorted() == ["code", "message", "type"])
        #expect((error["message"] as? String)?.isEmpty == false)
    }

    @Test func unknownRouteIs404WithErrorDocument() async throws {
        let answer = try await withServer { try $0.request(method: "GET", path: "/nope") }
        #expect(answer.status == 404)
        let envelope = try JSONDecoder().decode([String: APIError].self, from: Data(answer.body))
        #expect(envelope["error"]?.type == APIError.notFoundType)
        // Every error document has the same keys; an absent code is null.
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.contains("\"code\":null"))
    }

    @Test func epochIsServedAndBadNumberIs400() async throws {
        let (epoch, bad) = try await withServer { client in
            (try client.epoch(0), try client.request(method: "GET", path: "/epochs/minus-one").status)
        }
        #expect(epoch.seed == "5eed")
        #expect(bad == 400)
    }

    @Test func submitAcceptsHexAndRawBytes() async throws {
        let backend = FakeBackend()
        let (id, raw) = try await withServer(backend) { client in
            let id = try client.submit(txBytes: [1, 2, 3])
            let raw = try client.request(method: "POST", path: "/txs", body: [4, 5],
                                         contentType: "application/octet-stream")
            return (id, raw)
        }
        #expect(id == "010203")
        #expect(raw.status == 202)
        #expect(backend.submitted.withLock { $0 } == [[1, 2, 3], [4, 5]])
    }

    @Test func refusedTransactionIs400WithBackendMessage() async throws {
        let outcome = try await withServer { client -> APIClientError? in
            do {
                _ = try client.submit(txBytes: [0xFF])
                return nil
            } catch {
                return error as? APIClientError
            }
        }
        guard case .api(let status, let error)? = outcome else {
            Issue.record("expected a 400, got \(String(describing: outcome))")
            return
        }
        #expect(status == 400)
        #expect(error.message == "bad signature")
        #expect(error.code == "bad_signature")
    }

    @Test func submitAcceptsQuotedAndPrefixedHex() async throws {
        let backend = FakeBackend()
        let statuses = try await withServer(backend) { client -> [Int] in
            try ["\"0a0b\"", "0x0c", "  0d\n"].map {
                try client.request(method: "POST", path: "/txs", body: Array($0.utf8)).status
            }
        }
        #expect(statuses == [202, 202, 202])
        #expect(backend.submitted.withLock { $0 } == [[0x0A, 0x0B], [0x0C], [0x0D]])
    }

    @Test func secondStartThrowsAlreadyStarted() async throws {
        let failure = try await onThread { () -> APIServerError? in
            let server = APIServer(backend: FakeBackend(), host: "127.0.0.1", port: 0)
            try server.start()
            server.stop()
            do {
                try server.start()
                return nil
            } catch {
                return error as? APIServerError
            }
        }
        guard case .alreadyStarted? = failure else {
            Issue.record("expected alreadyStarted, got \(String(describing: failure))")
            return
        }
    }

    @Test func nonHexBodyIs400() async throws {
        let status = try await withServer { client -> Int in
            try client.request(method: "POST", path: "/txs", body: Array("zz".utf8)).status
        }
        #expect(status == 400)
    }

    @Test func oversizedBodyIs413() async throws {
        let backend = FakeBackend()
        let body = [UInt8](repeating: 0x61, count: APIServer.bodyBytesMax + 1)
        let answer = try await withServer(backend) {
            try $0.request(method: "POST", path: "/txs", body: body, contentType: "application/octet-stream")
        }
        #expect(answer.status == 413)
        let envelope = try JSONDecoder().decode([String: APIError].self, from: Data(answer.body))
        #expect(envelope["error"]?.type == APIError.requestTooLargeType)
        #expect(backend.submitted.withLock { $0.isEmpty })
    }

    @Test func stopFreesThePortAndClientsSayNoNodeAnswers() async throws {
        let outcome = try await onThread { () -> (APIClientError?, Int) in
            let server = APIServer(backend: FakeBackend(), host: "127.0.0.1", port: 0)
            let port = try server.start()
            _ = try APIClient(baseURL: "http://127.0.0.1:\(port)").status()
            server.stop()
            var failure: APIClientError?
            do {
                _ = try APIClient(baseURL: "http://127.0.0.1:\(port)").status()
            } catch {
                failure = error as? APIClientError
            }
            // The port can be bound again by a new server.
            let again = APIServer(backend: FakeBackend(), host: "127.0.0.1", port: port)
            let rebound = try again.start()
            again.stop()
            return (failure, rebound)
        }
        guard case .unreachable? = outcome.0 else {
            Issue.record("expected unreachable, got \(String(describing: outcome.0))")
            return
        }
        #expect(outcome.0?.description.contains("is `pouw node` running?") == true)
        #expect(outcome.1 > 0)
    }

    @Test func startOnATakenPortThrowsCannotListen() async throws {
        let failure = try await onThread { () -> APIServerError? in
            let first = APIServer(backend: FakeBackend(), host: "127.0.0.1", port: 0)
            let port = try first.start()
            defer { first.stop() }
            let second = APIServer(backend: FakeBackend(), host: "127.0.0.1", port: port)
            do {
                try second.start()
                second.stop()
                return nil
            } catch {
                return error as? APIServerError
            }
        }
        guard case .cannotListen? = failure else {
            Issue.record("expected cannotListen, got \(String(describing: failure))")
            return
        }
    }
}
