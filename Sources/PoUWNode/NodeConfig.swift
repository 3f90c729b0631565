/// The node's `config.toml`: typed, validated, with defaults for every key a fresh home needs.
import PoUWCore

/// What is wrong with a config file, and how to fix it.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    case syntax(path: String, TOMLError)
    case missingKey(path: String, section: String, key: String)
    case wrongType(path: String, section: String, key: String, expected: String)
    case invalid(path: String, section: String, key: String, reason: String)

    public var description: String {
        switch self {
        case .syntax(let path, let error):
            return "\(path): \(error)"
        case .missingKey(let path, let section, let key):
            return "\(path): [\(section)] \(key) is missing; add it or re-create the home with `pouw init`"
        case .wrongType(let path, let section, let key, let expected):
            return "\(path): [\(section)] \(key) must be \(expected)"
        case .invalid(let path, let section, let key, let reason):
            return "\(path): [\(section)] \(key): \(reason)"
        }
    }
}

/// Settings of one node. Paths are relative to the node home unless absolute.
public struct NodeConfig: Equatable, Sendable {
    public var chainId: String
    public var moniker: String
    /// "host:port" the P2P listener binds.
    public var p2pListen: String
    /// Peers dialled at start, "host:port" each.
    public var bootnodes: [String]
    /// "host:port" of the HTTP API.
    public var apiListen: String
    /// Directory of the LMDB state, relative to the home.
    public var dataDirectory: String
    /// GGUF model served and verified; empty means none (a validator that only follows the chain).
    public var modelPath: String
    /// Inference worker threads.
    public var inferenceThreads: Int

    public static let inferenceThreadsMax = 256

    public init(
        chainId: String, moniker: String, p2pListen: String = "127.0.0.1:26656", bootnodes: [String] = [],
        apiListen: String = "127.0.0.1:8545", dataDirectory: String = "data", modelPath: String = "",
        inferenceThreads: Int = 2
    ) {
        self.chainId = chainId
        self.moniker = moniker
        self.p2pListen = p2pListen
        self.bootnodes = bootnodes
        self.apiListen = apiListen
        self.dataDirectory = dataDirectory
        self.modelPath = modelPath
        self.inferenceThreads = inferenceThreads
    }

    /// Checks a chain id: 1...`Limits.chainIdBytesMax` bytes of `[a-z0-9-]`.
    public static func validateChainId(_ id: String) -> String? {
        guard !id.isEmpty, id.utf8.count <= Limits.chainIdBytesMax else {
            return "must be 1 to \(Limits.chainIdBytesMax) characters"
        }
        let ok = id.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
        return ok ? nil : "may contain only lower-case letters, digits and '-'"
    }

    /// Checks "host:port" with a port in 1...65535.
    public static func validateHostPort(_ text: String) -> String? {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
            let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { return "must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:26656" }
        return nil
    }

    public func render() -> String {
        var doc = TOMLDocument()
        doc.set("node", "chain_id", .string(chainId))
        doc.set("node", "moniker", .string(moniker))
        doc.set("p2p", "listen", .string(p2pListen))
        doc.set("p2p", "bootnodes", .strings(bootnodes))
        doc.set("api", "listen", .string(apiListen))
        doc.set("storage", "data_dir", .string(dataDirectory))
        doc.set("inference", "model", .string(modelPath))
        doc.set("inference", "threads", .integer(Int64(inferenceThreads)))
        return "# pouw node configuration (docs/operators.md explains every key)\n" + doc.render()
    }

    /// Parses and validates; `path` only labels errors.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> NodeConfig {
        let doc: TOMLDocument
        do { doc = try TOMLDocument.parse(text) } catch { throw .syntax(path: path, error) }
        var reader = Reader(doc: doc, path: path)
        let config = NodeConfig(
            chainId: try reader.string("node", "chain_id"),
            moniker: try reader.string("node", "moniker"),
            p2pListen: try reader.string("p2p", "listen"),
            bootnodes: try reader.strings("p2p", "bootnodes"),
            apiListen: try reader.string("api", "listen"),
            dataDirectory: try reader.string("storage", "data_dir"),
            modelPath: try reader.string("inference", "model"),
            inferenceThreads: try reader.integer("inference", "threads", in: 1...inferenceThreadsMax)
        )
        if let reason = validateChainId(config.chainId) {
            throw .invalid(path: path, section: "node", key: "chain_id", reason: reason)
        }
        for (key, value) in [("listen", config.p2pListen)] + config.bootnodes.map({ ("bootnodes", $0) }) {
            if let reason = validateHostPort(value) {
                throw .invalid(path: path, section: "p2p", key: key, reason: reason)
            }
        }
        if let reason = validateHostPort(config.apiListen) {
            throw .invalid(path: path, section: "api", key: "listen", reason: reason)
        }
        return config
    }

    private struct Reader {
        let doc: TOMLDocument
        let path: String

        func value(_ section: String, _ key: String) throws(ConfigError) -> TOMLValue {
            guard let v = doc[section, key] else { throw .missingKey(path: path, section: section, key: key) }
            return v
        }

        mutating func string(_ section: String, _ key: String) throws(ConfigError) -> String {
            guard case .string(let s) = try value(section, key) else {
                throw .wrongType(path: path, section: section, key: key, expected: "a string")
            }
            return s
        }

        mutating func strings(_ section: String, _ key: String) throws(ConfigError) -> [String] {
            guard case .strings(let s) = try value(section, key) else {
                throw .wrongType(path: path, section: section, key: key, expected: "an array of strings")
            }
            return s
        }

        mutating func integer(_ section: String, _ key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
            guard case .integer(let i) = try value(section, key) else {
                throw .wrongType(path: path, section: section, key: key, expected: "an integer")
            }
            guard let n = Int(exactly: i), range.contains(n) else {
                throw .invalid(path: path, section: section, key: key,
                               reason: "must be from \(range.lowerBound) to \(range.upperBound)")
            }
            return n
        }
    }
}
