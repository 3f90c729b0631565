import PoUWAPI
import Testing

@Suite struct APIClientTests {
    @Test(arguments: ["127.0.0.1:7001", "http://127.0.0.1", "http://:7001", "http://h:0", "ftp://h:1"])
    func malformedBaseURLIsBadURL(url: String) throws {
        #expect {
            _ = try APIClient(baseURL: url).status()
        } throws: { error in
            guard case APIClientError.badURL = error else { return false }
            return true
        }
    }

    @Test func errorTypePicksTheHTTPStatus() {
        #expect(APIError.invalidRequest("x").httpStatus == 400)
        #expect(APIError.notFound("x").httpStatus == 404)
        #expect(APIError(message: "x", type: APIError.requestTooLargeType).httpStatus == 413)
        #expect(APIError(message: "x", type: APIError.serverErrorType).httpStatus == 500)
        #expect(APIError(message: "x", type: "something_else").httpStatus == 400)
    }
}
