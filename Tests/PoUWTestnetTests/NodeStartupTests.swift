import Foundation
import Testing

/// `pouw testnet --create-only` and the checks `pouw node` makes before it joins anything.
@Suite struct NodeStartupTests {
    func makeTestnet() throws -> LocalTestnet {
        try LocalTestnet(validators: 2, observers: 0, extraArguments: [])
    }

    @Test func createOnlyWritesHomesSharingOneGenesis() throws {
        let net = try makeTestnet()
        let first = try Data(contentsOf: URL(fileURLWithPath: net.home(0) + "/genesis.json"))
        let second = try Data(contentsOf: URL(fileURLWithPath: net.home(1) + "/genesis.json"))
        #expect(first == second)
        let config = try String(contentsOfFile: net.home(1) + "/config.toml", encoding: .utf8)
        #expect(config.contains("127.0.0.1:\(net.basePort + 2)"))
        #expect(config.contains("127.0.0.1:\(net.basePort + 3)"))
        #expect(config.contains("127.0.0.1:\(net.basePort)"), "node1 should dial node0")
    }

    @Test func nodeRefusesACorruptGenesis() throws {
        let net = try makeTestnet()
        try Data("{\"chainId\": ".utf8).write(to: URL(fileURLWithPath: net.home(0) + "/genesis.json"))
        let result = try LocalTestnet.run(["node", "--home", net.home(0)])
        #expect(result.status == 1)
        #expect(result.text.contains("genesis.json"), "\(result.text)")
        #expect(!FileManager.default.fileExists(atPath: net.home(0) + "/data/chain/data.mdb"))
    }

    @Test func nodeRefusesAGenesisForAnotherChain() throws {
        let net = try makeTestnet()
        let path = net.home(0) + "/config.toml"
        let config = try String(contentsOfFile: path, encoding: .utf8)
        try config.replacingOccurrences(of: "pouw-testnet", with: "other-chain")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try LocalTestnet.run(["node", "--home", net.home(0)])
        #expect(result.status == 1)
        #expect(result.text.contains("other-chain") && result.text.contains("pouw-testnet"), "\(result.text)")
    }

    @Test func nodeRefusesAModelFileTheGenesisDoesNotName() throws {
        let net = try makeTestnet()
        let fake = net.directory + "/fake.gguf"
        try Data("GGUF not really".utf8).write(to: URL(fileURLWithPath: fake))
        let path = net.home(0) + "/config.toml"
        let config = try String(contentsOfFile: path, encoding: .utf8)
        try config.replacingOccurrences(of: LocalTestnet.modelPath, with: fake)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try LocalTestnet.run(["node", "--home", net.home(0)])
        #expect(result.status == 1)
        #expect(result.text.contains("SHA-256"), "\(result.text)")
    }
}
