import Foundation
import PoUWAPI
import PoUWCore
import PoUWServe
import Synchronization
import Testing

/// A node with nothing in it: these tests use only the `/v1` routes.
private struct EmptyNode: NodeAPIBackend {
    func status() -> StatusView {
        StatusView(chainId: "", moniker: "", nodeKey: "", height: 0, headHash: "", epoch: 0, phase: .sprint,
                   epochStartHeight: 0, nextEpochHeight: 0, round: 0, step: "", peerKeys: [], validators: [],
                   totalWeight: 0, lastBlockTimeMs: 0, finalityLatencyMs: LatencyView(p50: nil, p99: nil, samples: 0),
                   mempoolSize: 0, isSyncing: false, isValidator: false)
    }

    func block(height: UInt64) -> BlockView? { nil }

    func account(_ key: PublicKey) -> AccountView {
        AccountView(address: "", key: "", balance: 0, nonce: 0, bonded: 0, unbonding: 0)
    }

    func epoch(_ number: UInt64) -> EpochView? { nil }

    func submitTransaction(_ bytes: [UInt8]) async -> Result<String, APIError> { .failure(.invalidRequest("no")) }
}

/// Runs `body` on a new thread: the server and client block their caller.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

@Suite(.serialized)
struct ServeOverHTTPTests {
    @Test func streamedAndWholeChatAgreeOverHTTP() async throws {
        let service = try servedModel()
        let name = service.modelName
        let (whole, streamed, models) = try await onThread { () -> (HTTPAnswer, HTTPAnswer, HTTPAnswer) in
            let server = APIServer(backend: EmptyNode(), inference: service, host: "127.0.0.1", port: 0)
            let port = try server.start()
            defer { server.stop() }
            let client = APIClient(baseURL: "http://127.0.0.1:\(port)", timeoutSeconds: 60)
            let body = #"{"model":""# + name + #"","messages":[{"role":"user","content":"Name a fruit."}],"#
                + #""max_tokens":20,"temperature":0.7,"seed":5,"logprobs":true,"top_logprobs":2"#
            let whole = try client.request(method: "POST", path: "/v1/chat/completions", body: Array((body + "}").utf8),
                                           contentType: "application/json")
            let streamed = try client.exchange(method: "POST", path: "/v1/chat/completions",
                                               body: Array((body + #","stream":true}"#).utf8))
            return (whole, streamed, try client.request(method: "GET", path: "/v1/models"))
        }
        #expect(whole.status == 200 && streamed.status == 200)
        let answer = try JSONDecoder().decode(ChatCompletionView.self, from: Data(whole.body))
        let text = try #require(answer.choices.first?.message?.content)
        #expect(!text.isEmpty)
        #expect(answer.pouwSeed == 5)
        #expect(answer.choices.first?.logprobs?.content.first?.topLogprobs.count == 2)
        let events = APIClient.serverSentEvents(streamed.body)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map {
            try JSONDecoder().decode(ChatCompletionView.self, from: Data($0.utf8))
        }
        #expect(chunks.compactMap { $0.choices.first?.delta?.content }.joined() == text)
        #expect(chunks.last?.choices.first?.finishReason == answer.choices.first?.finishReason)
        let list = try JSONDecoder().decode(ModelListView.self, from: Data(models.body))
        #expect(list.data.map(\.id) == [name])
    }

    @Test func concurrentRequestsQueueAndAllAnswer() async throws {
        let service = try servedModel()
        let body = #"{"model":""# + service.modelName + #"","messages":[{"role":"user","content":"Count to five."}],"#
            + #""max_tokens":12,"temperature":0}"#
        let answers = try await onThread { () -> [HTTPAnswer?] in
            let server = APIServer(backend: EmptyNode(), inference: service, host: "127.0.0.1", port: 0)
            let port = try server.start()
            defer { server.stop() }
            let client = APIClient(baseURL: "http://127.0.0.1:\(port)", timeoutSeconds: 60)
            let results = Mutex<[HTTPAnswer?]>(Array(repeating: nil, count: 4))
            DispatchQueue.concurrentPerform(iterations: 4) { index in
                let answer = try? client.request(method: "POST", path: "/v1/chat/completions", body: Array(body.utf8),
                                                 contentType: "application/json")
                results.withLock { $0[index] = answer }
            }
            return results.withLock { $0 }
        }
        let texts = try answers.map { answer in
            let answer = try #require(answer)
            #expect(answer.status == 200)
            let view = try JSONDecoder().decode(ChatCompletionView.self, from: Data(answer.body))
            return view.choices[0].message?.content
        }
        #expect(Set(texts).count == 1)
        #expect(texts.first??.isEmpty == false)
    }
}
