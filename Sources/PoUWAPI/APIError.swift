/// The error every API failure answers with, as OpenAI-style JSON: `{"error":{"message":…,"type":…,"code":…}}`.

/// One API error: a human message saying what to do, a machine-readable `type` that picks the HTTP
/// status, and an optional finer `code`.
public struct APIError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// What went wrong and what to do about it.
    public var message: String
    /// One of the `…Type` constants below; it selects the HTTP status (`httpStatus`).
    public var type: String
    /// A finer machine-readable reason (for example `bad_signature`), or `nil`.
    public var code: String?
    /// The request parameter at fault (for example `temperature`), or `nil`.
    public var param: String?

    /// 400: the request is malformed or the transaction was refused.
    public static let invalidRequestType = "invalid_request_error"
    /// 404: no such route, block or epoch.
    public static let notFoundType = "not_found_error"
    /// 413: the request body is larger than the server accepts.
    public static let requestTooLargeType = "request_too_large"
    /// 405: the route exists but not for this method.
    public static let methodNotAllowedType = "method_not_allowed"
    /// 500: the server failed; the request may be retried.
    public static let serverErrorType = "server_error"
    /// 429: too many requests in flight; retry later.
    public static let rateLimitType = "rate_limit_error"
    /// 503: the node cannot serve this now (for example, it has no model loaded).
    public static let unavailableType = "service_unavailable"

    public init(message: String, type: String, code: String? = nil, param: String? = nil) {
        self.message = message
        self.type = type
        self.code = code
        self.param = param
    }

    /// A 400 error, the answer for a refused transaction.
    public static func invalidRequest(_ message: String, code: String? = nil) -> APIError {
        APIError(message: message, type: invalidRequestType, code: code)
    }

    /// A 404 error.
    public static func notFound(_ message: String) -> APIError {
        APIError(message: message, type: notFoundType)
    }

    /// The HTTP status this error is answered with: by `type`; an unknown type is a client error (400).
    public var httpStatus: Int {
        switch type {
        case Self.notFoundType: 404
        case Self.requestTooLargeType: 413
        case Self.methodNotAllowedType: 405
        case Self.serverErrorType: 500
        case Self.rateLimitType: 429
        case Self.unavailableType: 503
        default: 400
        }
    }

    public var description: String { "\(type): \(message)" }

    private enum CodingKeys: String, CodingKey {
        case message, type, code, param
    }

    /// Writes `code` as `null` when absent, as OpenAI's errors do: every error document has the same keys, plus
    /// `param` when an error names a request parameter.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(type, forKey: .type)
        try container.encode(code, forKey: .code)
        try container.encodeIfPresent(param, forKey: .param)
    }
}

/// The JSON envelope of an error answer.
struct APIErrorEnvelope: Codable {
    var error: APIError
}
