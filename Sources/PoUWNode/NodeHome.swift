/// A node's home directory: `config.toml`, `node_key.json` (P2P identity, signs votes),
/// `account_key.json` (the account that bonds collateral and is paid), and `data/` (LMDB).
import Foundation
public import PoUWCrypto

/// Why a home could not be created or opened, and what to do.
public enum NodeHomeError: Error, CustomStringConvertible {
    case alreadyInitialised(path: String)
    case notInitialised(path: String)
    case cannotCreate(path: String, reason: String)
    case config(ConfigError)
    case key(path: String, underlying: any Error)

    public var description: String {
        switch self {
        case .alreadyInitialised(let path):
            return "\(path) already holds a node (config.toml exists); pick another --home or remove it first"
        case .notInitialised(let path):
            return "\(path) is not a node home (no config.toml); run `pouw init --home \(path)` first"
        case .cannotCreate(let path, let reason):
            return "cannot create \(path): \(reason)"
        case .config(let error):
            return "\(error)"
        case .key(let path, let underlying):
            return "key file \(path): \(underlying)"
        }
    }
}

/// Paths and contents of one node home.
public struct NodeHome: Sendable {
    public let path: String
    public var configPath: String { path + "/config.toml" }
    public var nodeKeyPath: String { path + "/node_key.json" }
    public var accountKeyPath: String { path + "/account_key.json" }

    public init(path: String) {
        self.path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    }

    public var dataPath: String {
        get throws(NodeHomeError) {
            let dir = try loadConfig().dataDirectory
            return dir.hasPrefix("/") ? dir : path + "/" + dir
        }
    }

    /// Creates the directory (0700), a new node key and account key (0600 each, never overwritten),
    /// and `config.toml`. Fails, changing nothing, when a config already exists.
    @discardableResult
    public static func initialise(at path: String, config: NodeConfig) throws(NodeHomeError) -> NodeHome {
        let home = NodeHome(path: path)
        let fm = FileManager.default
        if fm.fileExists(atPath: home.configPath) { throw .alreadyInitialised(path: home.path) }
        do {
            try fm.createDirectory(atPath: home.path, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotCreate(path: home.path, reason: error.localizedDescription)
        }
        for keyPath in [home.nodeKeyPath, home.accountKeyPath] where !fm.fileExists(atPath: keyPath) {
            do { try KeyFile.write(KeyPair.generate(), to: keyPath) } catch {
                throw .key(path: keyPath, underlying: error)
            }
        }
        let tmp = home.configPath + ".tmp"
        do {
            try Data(config.render().utf8).write(to: URL(fileURLWithPath: tmp), options: .atomic)
            try fm.moveItem(atPath: tmp, toPath: home.configPath)
        } catch {
            throw .cannotCreate(path: home.configPath, reason: error.localizedDescription)
        }
        return home
    }

    /// Reads and validates `config.toml`.
    public func loadConfig() throws(NodeHomeError) -> NodeConfig {
        guard let data = FileManager.default.contents(atPath: configPath) else { throw .notInitialised(path: path) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .config(.invalid(path: configPath, section: "", key: "", reason: "not UTF-8 text"))
        }
        do { return try NodeConfig.parse(text, path: configPath) } catch { throw .config(error) }
    }

    public func nodeKey() throws(NodeHomeError) -> KeyPair { try readKey(nodeKeyPath) }
    public func accountKey() throws(NodeHomeError) -> KeyPair { try readKey(accountKeyPath) }

    private func readKey(_ keyPath: String) throws(NodeHomeError) -> KeyPair {
        guard FileManager.default.fileExists(atPath: configPath) else { throw .notInitialised(path: path) }
        do { return try KeyFile.read(keyPath) } catch { throw .key(path: keyPath, underlying: error) }
    }
}
