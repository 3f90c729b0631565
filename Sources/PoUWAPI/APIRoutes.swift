/// The routes of the node API and their error answers.
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PoUWCore

/// Builds the router: `GET /status`, `GET /blocks/{height}`, `GET /accounts/{key}`, `GET /epochs/{n}`,
/// `POST /txs`, and the OpenAI-compatible `/v1/…` routes (`OpenAIRoutes`). Every answer is JSON (or a
/// `/v1` event stream); every failure is an `APIError` envelope with its HTTP status.
enum APIRoutes {
    static func router(
        backend: any NodeAPIBackend, bodyBytesMax: Int, inference: (any InferenceAPIBackend)? = nil,
        inferenceLimits: InferenceLimits = InferenceLimits()
    ) -> Router<BasicRequestContext> {
        let router = Router()
        // Before the routes: a route's responder chain is built from the middlewares present when it is added.
        router.add(middleware: ErrorMiddleware())
        router.get("status") { _, _ in try json(backend.status()) }
        router.get("hosts") { _, _ in try json(backend.hosts()) }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: Array(Metrics.render(backend.status()).utf8)))
            )
        }
        router.get("blocks/:height") { _, context in
            let height = try number(context, "height")
            guard let block = backend.block(height: height) else {
                throw APIError.notFound("no block at height \(height)")
            }
            return try json(block)
        }
        router.get("accounts/:key") { _, context in
            let text = context.parameters.get("key") ?? ""
            guard let bytes = Hex.decode(text), bytes.count == PublicKey.byteCount else {
                throw APIError.invalidRequest(
                    "account key must be \(2 * PublicKey.byteCount) hex digits, got \"\(text.prefix(80))\"",
                    code: "bad_key")
            }
            return try json(backend.account(PublicKey(bytes)))
        }
        router.get("epochs/:n") { _, context in
            let number = try number(context, "n")
            guard let epoch = backend.epoch(number) else { throw APIError.notFound("no epoch \(number)") }
            return try json(epoch)
        }
        router.post("txs") { request, context in
            let body = try await request.body.collect(upTo: bodyBytesMax)
            let bytes = try transactionBytes(body, contentType: request.headers[.contentType])
            switch await backend.submitTransaction(bytes) {
            case .success(let id): return try json(SubmittedView(id: id), status: .accepted)
            case .failure(let error): throw error
            }
        }
        OpenAIRoutes.add(to: router, inference: inference, limits: inferenceLimits)
        return router
    }

    /// The decimal path parameter `name`, or a 400.
    static func number(_ context: BasicRequestContext, _ name: String) throws(APIError) -> UInt64 {
        let text = context.parameters.get(name) ?? ""
        guard let value = UInt64(text) else {
            throw .invalidRequest("\(name) must be a decimal number, got \"\(text.prefix(80))\"", code: "bad_number")
        }
        return value
    }

    /// The transaction in a `POST /txs` body: raw bytes for `application/octet-stream`, otherwise hex text
    /// (optionally a JSON string, optionally `0x`-prefixed, surrounding whitespace ignored).
    static func transactionBytes(_ body: ByteBuffer, contentType: String?) throws(APIError) -> [UInt8] {
        let raw = Array(body.readableBytesView)
        if contentType?.lowercased().hasPrefix("application/octet-stream") == true {
            guard !raw.isEmpty else { throw .invalidRequest("empty transaction body", code: "empty_body") }
            return raw
        }
        var text = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") { text = String(text.dropFirst().dropLast()) }
        if text.hasPrefix("0x") { text = String(text.dropFirst(2)) }
        guard !text.isEmpty, let bytes = Hex.decode(text) else {
            throw .invalidRequest(
                "the body must be the transaction as hex (or raw bytes with Content-Type: application/octet-stream)",
                code: "bad_hex")
        }
        return bytes
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A JSON answer.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// Turns every error below it into an `APIError` envelope with the matching status.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try Self.answer(error)
        } catch let error as any HTTPResponseError {
            return try Self.answer(Self.apiError(error.status, request: request))
        } catch {
            return try Self.answer(APIError(message: "internal error: \(error)", type: APIError.serverErrorType))
        }
    }

    static func apiError(_ status: HTTPResponse.Status, request: Request) -> APIError {
        switch status {
        case .notFound:
            APIError.notFound("no route \(request.method) \(request.uri.path); "
                + "routes: GET /status, /blocks/{height}, /accounts/{key}, /epochs/{n}; POST /txs; "
                + OpenAIRoutes.routeList)
        case .contentTooLarge:
            APIError(message: "request body larger than \(APIServer.bodyBytesMax) bytes",
                     type: APIError.requestTooLargeType)
        case .methodNotAllowed:
            APIError(message: "\(request.method) is not allowed on \(request.uri.path)",
                     type: APIError.methodNotAllowedType)
        default:
            status.code >= 500
                ? APIError(message: "internal error (\(status))", type: APIError.serverErrorType)
                : APIError.invalidRequest("\(status)")
        }
    }

    static func answer(_ error: APIError) throws -> Response {
        try APIRoutes.json(APIErrorEnvelope(error: error), status: HTTPResponse.Status(code: error.httpStatus))
    }
}
