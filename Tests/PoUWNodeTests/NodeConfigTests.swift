import Foundation
import PoUWNode
import Testing

@Suite struct TOMLDocumentTests {
    @Test("parses sections, strings with escapes, integers, booleans, string arrays and comments")
    func parsesTheSubset() throws {
        let text = """
            # top comment
            top = 1
            [a]
            s = "x \\"q\\" \\\\ \\n"  # trailing comment
            n = -1_000
            yes = true
            list = ["p", "q" ,"r"]
            empty = []
            """
        let doc = try TOMLDocument.parse(text)
        #expect(doc["", "top"] == .integer(1))
        #expect(doc["a", "s"] == .string("x \"q\" \\ \n"))
        #expect(doc["a", "n"] == .integer(-1000))
        #expect(doc["a", "yes"] == .bool(true))
        #expect(doc["a", "list"] == .strings(["p", "q", "r"]))
        #expect(doc["a", "empty"] == .strings([]))
    }

    @Test("render then parse gives the same document")
    func renderRoundTrips() throws {
        var doc = TOMLDocument()
        doc.set("x", "name", .string("tab\tquote\"back\\slash"))
        doc.set("x", "count", .integer(Int64.min))
        doc.set("y", "flag", .bool(false))
        doc.set("y", "peers", .strings(["a:1", "b:2"]))
        #expect(try TOMLDocument.parse(doc.render()) == doc)
    }

    @Test("malformed lines are errors that name the line")
    func malformedInputNamesTheLine() {
        let cases: [(String, Int)] = [
            ("a = 1\nb = ", 2), ("[s\n", 1), ("k = 'single'", 1), ("k = \"open", 1), ("k = 1 2", 1),
            ("k = 1\nk = 2", 2), ("[s]\n[s]", 2), ("= 3", 1), ("k = [1]", 1), ("k = \"\\q\"", 1),
            ("k = 99999999999999999999", 1),
        ]
        for (text, line) in cases {
            #expect(throws: TOMLError.self, "\(text)") { try TOMLDocument.parse(text) }
            do { _ = try TOMLDocument.parse(text) } catch { #expect(error.line == line, "\(text): \(error)") }
        }
    }
}

@Suite struct NodeConfigTests {
    let sample = NodeConfig(chainId: "pouw-devnet", moniker: "n0", bootnodes: ["127.0.0.1:26657"])

    @Test("a rendered config parses back to the same values")
    func renderedConfigRoundTrips() throws {
        #expect(try NodeConfig.parse(sample.render(), path: "c.toml") == sample)
    }

    @Test("a missing key, a wrong type or an invalid value is a clear error")
    func invalidConfigsAreRejected() {
        let text = sample.render()
        let cases: [(String, String)] = [
            (text.replacingOccurrences(of: "moniker = \"n0\"\n", with: ""), "moniker is missing"),
            (text.replacingOccurrences(of: "threads = 2", with: "threads = \"2\""), "must be an integer"),
            (text.replacingOccurrences(of: "threads = 2", with: "threads = 0"), "must be from 1"),
            (text.replacingOccurrences(of: "pouw-devnet", with: "Bad Chain"), "chain_id"),
            (text.replacingOccurrences(of: "127.0.0.1:26657", with: "nowhere"), "bootnodes"),
            (text.replacingOccurrences(of: "127.0.0.1:8545", with: "127.0.0.1:0"), "port from 1"),
        ]
        for (bad, fragment) in cases {
            do {
                _ = try NodeConfig.parse(bad, path: "c.toml")
                Issue.record("accepted a bad config (\(fragment))")
            } catch {
                #expect(error.description.contains(fragment), "\(error)")
                #expect(error.description.hasPrefix("c.toml"))
            }
        }
    }
}
