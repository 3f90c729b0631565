import Foundation
import PoUWAPI
import Synchronization
import Testing

@Suite(.serialized)
struct OpenAIRoutesTests {
    /// Starts a server with `inference` on an ephemeral port, runs `body` with a client on a plain thread.
    func withServer<T: Sendable>(
        _ inference: (any InferenceAPIBackend)? = FakeInference(), limits: InferenceLimits = InferenceLimits(),
        _ body: @escaping @Sendable (APIClient) throws -> T
    ) async throws -> T {
        try await onThread {
            let server = APIServer(backend: FakeBackend(), inference: inference, inferenceLimits: limits,
                                   host: "127.0.0.1", port: 0)
            let port = try server.start()
            defer { server.stop() }
            return try body(APIClient(baseURL: "http://127.0.0.1:\(port)"))
        }
    }

    static let chatBody = #"{"model":"fake-model","messages":[{"role":"user","content":"Hi"}]}"#

    static func post(_ client: APIClient, _ path: String, _ json: String) throws -> HTTPAnswer {
        try client.request(method: "POST", path: path, body: Array(json.utf8), contentType: "application/json")
    }

    static func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    /// The `error` object of an error answer.
    static func error(_ answer: HTTPAnswer) throws -> [String: Any] {
        try #require(try object(answer.body)["error"] as? [String: Any])
    }

    @Test func chatCompletionHasOpenAIShape() async throws {
        let answer = try await withServer { try Self.post($0, "/v1/chat/completions", Self.chatBody) }
        #expect(answer.status == 200)
        let json = try Self.object(answer.body)
        #expect((json["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        #expect(json["object"] as? String == "chat.completion")
        #expect(json["model"] as? String == FakeInference.modelID)
        #expect((json["created"] as? Int ?? 0) > 1_700_000_000)
        #expect(json["pouw_seed"] is NSNumber)
        let choices = try #require(json["choices"] as? [[String: Any]])
        #expect(choices.count == 1)
        #expect(choices[0]["index"] as? Int == 0)
        #expect(choices[0]["finish_reason"] as? String == "stop")
        #expect(choices[0]["logprobs"] is NSNull)
        let message = try #require(choices[0]["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant")
        #expect(message["content"] as? String == "Hello!")
        let usage = try #require(json["usage"] as? [String: Int])
        #expect(usage == ["prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10])
    }

    @Test func chatDefaultsFollowOpenAIAndTheSeedIsReported() async throws {
        let inference = FakeInference()
        let body = #"{"model":"fake-model","messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}],"#
            + #""stop":"\n","max_tokens":2}"#
        let answer = try await withServer(inference) { try Self.post($0, "/v1/chat/completions", body) }
        #expect(answer.status == 200)
        let job = try #require(inference.jobs.withLock { $0.first })
        #expect(job.temperature == 1 && job.topP == 1 && job.seed == nil)
        #expect(job.stop == ["\n"])
        #expect(job.prompt == .chat([CompletionMessage(role: "user", content: "Hi")]))
        let view = try JSONDecoder().decode(ChatCompletionView.self, from: Data(answer.body))
        #expect(view.pouwSeed == job.resolvedSeed)
        #expect(view.choices[0].finishReason == .length)
        #expect(view.usage?.completionTokens == 2)
    }

    @Test func explicitSeedAndStopArrayReachTheBackend() async throws {
        let inference = FakeInference()
        let body = #"{"model":"fake-model","messages":[{"role":"user","content":"Hi"}],"seed":42,"#
            + #""stop":["a","b"],"temperature":0,"top_p":0.5}"#
        let answer = try await withServer(inference) { try Self.post($0, "/v1/chat/completions", body) }
        #expect(answer.status == 200)
        let job = try #require(inference.jobs.withLock { $0.first })
        #expect(job.seed == 42 && job.resolvedSeed == 42)
        #expect(job.stop == ["a", "b"] && job.temperature == 0 && job.topP == 0.5)
        #expect(try Self.object(answer.body)["pouw_seed"] as? Int == 42)
    }

    @Test func streamedChatSendsRoleDeltaContentFinishThenDone() async throws {
        let body = #"{"model":"fake-model","messages":[{"role":"user","content":"Hi"}],"stream":true,"#
            + #""stream_options":{"include_usage":true}}"#
        let answer = try await withServer { try $0.exchange(method: "POST", path: "/v1/chat/completions",
                                                            body: Array(body.utf8)) }
        #expect(answer.status == 200)
        let events = APIClient.serverSentEvents(answer.body)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map {
            try JSONDecoder().decode(ChatCompletionView.self, from: Data($0.utf8))
        }
        #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" && $0.id.hasPrefix("chatcmpl-") })
        #expect(Set(chunks.map(\.id)).count == 1)
        #expect(chunks.first?.choices.first?.delta?.role == "assistant")
        let content = chunks.compactMap { $0.choices.first?.delta?.content }.joined()
        #expect(content == "Hello!")
        let finishes = chunks.compactMap { $0.choices.first?.finishReason }
        #expect(finishes == [.stop])
        // The finish chunk comes after every content delta; the usage chunk (no choices) is last.
        let finishIndex = try #require(chunks.firstIndex { $0.choices.first?.finishReason != nil })
        #expect(chunks[finishIndex].choices[0].delta?.content == nil)
        #expect(chunks.last?.choices.isEmpty == true)
        #expect(chunks.last?.usage?.totalTokens == 10)
        #expect(chunks.dropLast().allSatisfy { $0.usage == nil })
    }

    @Test func chatLogprobsCarryTokenLogprobBytesAndTopLogprobs() async throws {
        let body = #"{"model":"fake-model","messages":[{"role":"user","content":"Hi"}],"logprobs":true,"#
            + #""top_logprobs":2}"#
        let answer = try await withServer { try Self.post($0, "/v1/chat/completions", body) }
        #expect(answer.status == 200)
        let choices = try #require(try Self.object(answer.body)["choices"] as? [[String: Any]])
        let logprobs = try #require(choices.first?["logprobs"] as? [String: Any])
        let content = try #require(logprobs["content"] as? [[String: Any]])
        #expect(content.count == 3)
        #expect(content[0]["token"] as? String == "Hel")
        #expect(content[0]["logprob"] as? Double == -0.5)
        #expect(content[0]["bytes"] as? [Int] == [72, 101, 108])
        let top = try #require(content[0]["top_logprobs"] as? [[String: Any]])
        #expect(top.count == 2)
        #expect(top[1]["token"] as? String == "alt1")
        #expect(Set(top[1].keys) == ["token", "logprob", "bytes"])
    }

    @Test func streamedLogprobsComeWithEachDelta() async throws {
        let body = #"{"model":"fake-model","messages":[{"role":"user","content":"Hi"}],"logprobs":true,"#
            + #""stream":true}"#
        let answer = try await withServer { try $0.exchange(method: "POST", path: "/v1/chat/completions",
                                                            body: Array(body.utf8)) }
        let chunks = try APIClient.serverSentEvents(answer.body).dropLast().map {
            try JSONDecoder().decode(ChatCompletionView.self, from: Data($0.utf8))
        }
        let tokens = chunks.compactMap { $0.choices.first?.logprobs?.content.first?.token }
        #expect(tokens == ["Hel", "lo", "!"])
    }

    @Test func textCompletionHasLegacyShape() async throws {
        let body = #"{"model":"fake-model","prompt":"Once","max_tokens":2,"logprobs":1}"#
        let answer = try await withServer { try Self.post($0, "/v1/completions", body) }
        #expect(answer.status == 200)
        let json = try Self.object(answer.body)
        #expect((json["id"] as? String)?.hasPrefix("cmpl-") == true)
        #expect(json["object"] as? String == "text_completion")
        let choice = try #require((json["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == "Hello")
        #expect(choice["finish_reason"] as? String == "length")
        let logprobs = try #require(choice["logprobs"] as? [String: Any])
        #expect(logprobs["tokens"] as? [String] == ["Hel", "lo"])
        #expect(logprobs["token_logprobs"] as? [Double] == [-0.5, -0.5])
        #expect(logprobs["text_offset"] as? [Int] == [0, 3])
        #expect((logprobs["top_logprobs"] as? [[String: Double]])?.first == ["Hel": -0.5])
    }

    @Test func streamedTextCompletionEndsWithDone() async throws {
        let body = #"{"model":"fake-model","prompt":"Once","stream":true}"#
        let answer = try await withServer { try $0.exchange(method: "POST", path: "/v1/completions",
                                                            body: Array(body.utf8)) }
        let events = APIClient.serverSentEvents(answer.body)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map {
            try JSONDecoder().decode(TextCompletionView.self, from: Data($0.utf8))
        }
        #expect(chunks.map { $0.choices[0].text }.joined() == "Hello!")
        #expect(chunks.last?.choices[0].finishReason == .stop)
    }

    @Test func modelsListsTheServedModels() async throws {
        let answer = try await withServer { try $0.request(method: "GET", path: "/v1/models") }
        let list = try JSONDecoder().decode(ModelListView.self, from: Data(answer.body))
        #expect(list.object == "list")
        #expect(list.data.map(\.id) == [FakeInference.modelID])
        #expect(list.data.first?.object == "model")
        #expect(list.data.first?.ownedBy == "pouw")
    }

    @Test(arguments: [
        (#""temperature":3"#, "temperature"),
        (#""temperature":"hot""#, "temperature"),
        (#""n":2"#, "n"),
        (#""top_logprobs":21,"logprobs":true"#, "top_logprobs"),
        (#""top_logprobs":2"#, "top_logprobs"),
        (#""top_p":0"#, "top_p"),
        (#""max_tokens":0"#, "max_tokens"),
        (#""max_tokens":100"#, "max_tokens"),
        (#""stop":["a","b","c","d","e"]"#, "stop"),
        (#""stop":[""]"#, "stop"),
        (#""stream":"yes""#, "stream"),
    ])
    func badParameterIs400NamingIt(extra: String, param: String) async throws {
        let body = #"{"model":"fake-model","messages":[{"role":"user","content":"Hi"}],"# + extra + "}"
        let answer = try await withServer { try Self.post($0, "/v1/chat/completions", body) }
        #expect(answer.status == 400)
        let error = try Self.error(answer)
        #expect(error["type"] as? String == APIError.invalidRequestType)
        #expect(error["param"] as? String == param)
        #expect((error["message"] as? String)?.contains(param) == true)
    }

    @Test(arguments: [
        (#"{"model":"fake-model","messages":[]}"#, "messages"),
        (#"{"model":"fake-model"}"#, "messages"),
        (#"{"messages":[{"role":"user","content":"Hi"}]}"#, "model"),
        (#"{"model":"fake-model","messages":[{"role":"robot","content":"Hi"}]}"#, "messages[0].role"),
        (#"{"model":"fake-model","messages":[{"content":"Hi"}]}"#, "messages[0].role"),
        (#"{"model":"fake-model","messages":[{"role":"user","content":7}]}"#, "messages[0].content"),
    ])
    func badMessagesAre400NamingThem(body: String, param: String) async throws {
        let answer = try await withServer { try Self.post($0, "/v1/chat/completions", body) }
        #expect(answer.status == 400)
        #expect(try Self.error(answer)["param"] as? String == param)
    }

    @Test func malformedJSONIs400() async throws {
        let answer = try await withServer { try Self.post($0, "/v1/chat/completions", "{\"model\":") }
        #expect(answer.status == 400)
        #expect(try Self.error(answer)["code"] as? String == "invalid_json")
    }

    @Test func tooManyMessagesAndTooLargeMessageAre400() async throws {
        var limits = InferenceLimits()
        limits.messagesMax = 2
        limits.messageBytesMax = 4
        let three = #"{"model":"fake-model","messages":["#
            + Array(repeating: #"{"role":"user","content":"Hi"}"#, count: 3).joined(separator: ",") + "]}"
        let large = #"{"model":"fake-model","messages":[{"role":"user","content":"Hello"}]}"#
        let (many, big) = try await withServer(limits: limits) { client in
            (try Self.post(client, "/v1/chat/completions", three), try Self.post(client, "/v1/chat/completions", large))
        }
        #expect(many.status == 400 && big.status == 400)
        #expect(try Self.error(many)["param"] as? String == "messages")
        #expect(try Self.error(big)["param"] as? String == "messages[0].content")
    }

    @Test func unknownModelIs404ModelNotFound() async throws {
        let body = #"{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}"#
        let answer = try await withServer { try Self.post($0, "/v1/chat/completions", body) }
        #expect(answer.status == 404)
        let error = try Self.error(answer)
        #expect(error["code"] as? String == "model_not_found")
        #expect((error["message"] as? String)?.contains(FakeInference.modelID) == true)
    }

    @Test func oversizedBodyIs413() async throws {
        var limits = InferenceLimits()
        limits.bodyBytesMax = 1024
        let body = #"{"model":"fake-model","messages":[{"role":"user","content":""#
            + String(repeating: "a", count: 2048) + #""}]}"#
        let inference = FakeInference()
        let answer = try await withServer(inference, limits: limits) { try Self.post($0, "/v1/chat/completions", body) }
        #expect(answer.status == 413)
        #expect(try Self.error(answer)["type"] as? String == APIError.requestTooLargeType)
        #expect(inference.jobs.withLock { $0.isEmpty })
    }

    @Test func requestBeyondTheConcurrencyBoundIs429() async throws {
        var limits = InferenceLimits()
        limits.concurrentRequestsMax = 1
        let inference = FakeInference(blocks: true)
        let (first, second, third) = try await withServer(inference, limits: limits) { client in
            let firstAnswer = Mutex<HTTPAnswer?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                firstAnswer.withLock { $0 = try? Self.post(client, "/v1/chat/completions", Self.chatBody) }
                done.signal()
            }
            inference.entered.wait()
            let second = try Self.post(client, "/v1/chat/completions", Self.chatBody)
            inference.release()
            done.wait()
            // The slot is free again once the first request has ended.
            inference.release()
            let third = try Self.post(client, "/v1/chat/completions", Self.chatBody)
            return (firstAnswer.withLock { $0 }, second, third)
        }
        #expect(first?.status == 200)
        #expect(second.status == 429)
        #expect(try Self.error(second)["type"] as? String == APIError.rateLimitType)
        #expect(third.status == 200)
    }

    @Test func withoutAModelCompletionsAre503AndNoModelIsListed() async throws {
        let (chat, models) = try await withServer(nil) { client in
            (try Self.post(client, "/v1/chat/completions", Self.chatBody),
             try client.request(method: "GET", path: "/v1/models"))
        }
        #expect(chat.status == 503)
        #expect(try Self.error(chat)["type"] as? String == APIError.unavailableType)
        #expect(try JSONDecoder().decode(ModelListView.self, from: Data(models.body)).data.isEmpty)
    }

    @Test func wrongMethodOrUnknownRouteIsAnError() async throws {
        let (get, unknown) = try await withServer { client in
            (try client.request(method: "GET", path: "/v1/chat/completions"),
             try Self.post(client, "/v1/embeddings", "{}"))
        }
        #expect(get.status == 405 || get.status == 404)
        #expect(try Self.error(get)["message"] is String)
        #expect(unknown.status == 404)
        #expect((try Self.error(unknown)["message"] as? String)?.contains("/v1/chat/completions") == true)
    }
}
