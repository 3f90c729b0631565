import Foundation
import PoUWAPI
import Testing

/// `GET /metrics`: Prometheus text a scraper can parse, carrying the node's status.
@Suite(.serialized)
struct MetricsTests {
    @Test func metricsAreServedAsPrometheusText() async throws {
        let answer = try await onThread { () -> HTTPAnswer in
            let server = APIServer(backend: FakeBackend(), host: "127.0.0.1", port: 0)
            let port = try server.start()
            defer { server.stop() }
            return try APIClient(baseURL: "http://127.0.0.1:\(port)").exchange(method: "GET", path: "/metrics")
        }
        #expect(answer.status == 200)
        let text = String(decoding: answer.body, as: UTF8.self)
        let status = FakeBackend.statusView
        #expect(text.contains("pouw_height \(status.height)\n"))
        #expect(text.contains("pouw_peers \(status.peers)\n"))
        #expect(text.contains("pouw_total_weight \(status.totalWeight)\n"))
        #expect(text.contains("# TYPE pouw_height gauge\n"))
    }

    /// Every sample line is `name{labels} value` with a known metric name and a number, and every metric
    /// has its HELP and TYPE lines before its samples (what Prometheus' parser requires).
    @Test func everyLineFollowsTheExpositionFormat() throws {
        let text = Metrics.render(FakeBackend.statusView)
        var declared = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# HELP ") || line.hasPrefix("# TYPE ") {
                declared.insert(String(line.split(separator: " ")[2]))
                continue
            }
            let parts = line.split(separator: " ")
            #expect(parts.count == 2, "\(line)")
            let name = String(parts[0].prefix { $0 != "{" })
            #expect(declared.contains(name), "\(name) sampled before its HELP/TYPE")
            #expect(Double(parts[1]) != nil, "\(line)")
            #expect(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
        }
        #expect(declared.count >= 10)
    }
}
