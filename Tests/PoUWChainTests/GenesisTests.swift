import Foundation
import PoUWChain
import PoUWCore
import PoUWCrypto
import Testing

@Suite struct GenesisTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static let devnetPath = repositoryRoot.appendingPathComponent("Genesis/devnet.json").path

    /// The devnet genesis as JSON text, to be edited by the error tests.
    static var devnetJSON: String { String(decoding: Genesis.devnet().jsonData(), as: UTF8.self) }

    static func parse(_ text: String, expectedChainId: String? = nil) throws(GenesisError) -> Genesis {
        try Genesis.parse(data: Data(text.utf8), expectedChainId: expectedChainId)
    }

    @Test("Genesis/devnet.json is the devnet genesis built from the deterministic keys")
    func devnetFileMatchesDerivation() throws {
        if ProcessInfo.processInfo.environment["POUW_WRITE_DEVNET_GENESIS"] == "1" {
            try Genesis.devnet().jsonData().write(to: URL(fileURLWithPath: Self.devnetPath))
        }
        let loaded = try Genesis.load(path: Self.devnetPath, expectedChainId: "pouw-devnet")
        #expect(loaded == Genesis.devnet())
        #expect(loaded.validators.count == 4)
        #expect(loaded.validators[0].publicKey == KeyPair(seed: Genesis.devnetSeed(index: 0)).publicKey)
        let seed0 = Blake2b256.hash(Array("pouw/devnet-key/v1".utf8) + [0, 0, 0, 0]).bytes
        #expect(Genesis.devnetSeed(index: 0) == seed0)
    }

    @Test("JSON round trip keeps the genesis and its hash; the hash ignores list order but not content")
    func hashIsCanonical() throws {
        let genesis = Genesis.devnet()
        let reparsed = try Genesis.parse(data: genesis.jsonData())
        #expect(reparsed == genesis)
        #expect(reparsed.hash == genesis.hash)
        var reordered = genesis
        reordered.validators.reverse()
        reordered.accounts.reverse()
        #expect(reordered.hash == genesis.hash)
        var changed = genesis
        changed.accounts[0].balance += 1
        #expect(changed.hash != genesis.hash)
        var slower = genesis
        slower.parameters.blockIntervalMilliseconds += 1
        #expect(slower.hash != genesis.hash)
    }

    @Test("omitted parameters take their defaults; large integers are read exactly")
    func parametersDefault() throws {
        let key = Genesis.devnetKeyPair(index: 0).publicKey
        let text = """
            {"chainId": "c", "genesisTimeMilliseconds": 1, "parameters": {"epochLength": 50},
             "accounts": [{"publicKey": "\(key)", "balance": 9007199254740993}],
             "validators": [{"publicKey": "\(key)", "weight": 1, "name": "v"}]}
            """
        let genesis = try Self.parse(text)
        var expected = ChainParameters()
        expected.epochLength = 50
        #expect(genesis.parameters == expected)
        #expect(genesis.accounts.map(\.balance) == [9_007_199_254_740_993], "integers above 2^53 are exact")
        #expect(genesis.validators[0].collateral == 0)
    }

    /// Edits the devnet JSON with `edit` and expects `parse` to throw `expected`.
    func expectError(_ expected: GenesisError, expectedChainId: String? = nil, _ edit: (inout String) -> Void) {
        var text = Self.devnetJSON
        edit(&text)
        #expect(throws: expected) { try Self.parse(text, expectedChainId: expectedChainId) }
    }

    func key(_ index: Int) -> PublicKey { Genesis.devnetKeyPair(index: index).publicKey }

    @Test("duplicate keys in accounts or validators are refused, naming the key")
    func duplicateKeys() {
        expectError(.duplicateKey(list: "validators", key: key(1))) { text in
            text = text.replacingOccurrences(of: key(0).description, with: key(1).description)
        }
        var genesis = Genesis.devnet()
        genesis.accounts.append(genesis.accounts[2])
        #expect(throws: GenesisError.duplicateKey(list: "accounts", key: key(2))) { try genesis.validate() }
    }

    @Test("keys that are not hex, not 32 bytes, or not a valid Ed25519 point are refused")
    func invalidKeys() {
        let k = key(0).description
        expectError(.invalidPublicKey(field: "accounts[0].publicKey", text: "zz")) { text in
            text = text.replacingOccurrences(of: "\"\(k)\"", with: "\"zz\"")
        }
        var genesis = Genesis.devnet()
        genesis.validators[3].publicKey = PublicKey([UInt8](repeating: 0, count: 32))
        #expect(throws: GenesisError.invalidPublicKey(
            field: "validators[3].publicKey", text: String(repeating: "0", count: 64)
        )) { try genesis.validate() }
    }

    @Test("an empty validator set, a zero weight, an overweight set and a bad name are refused")
    func validatorSetRules() throws {
        var genesis = Genesis.devnet()
        genesis.validators = []
        #expect(throws: GenesisError.emptyValidatorSet) { try genesis.validate() }
        genesis = Genesis.devnet()
        genesis.validators[2].weight = 0
        #expect(throws: GenesisError.zeroWeight(field: "validators[2].weight")) { try genesis.validate() }
        genesis = Genesis.devnet()
        genesis.validators[0].weight = ChainLimits.totalWeightMax
        #expect(throws: GenesisError.totalWeightTooLarge(max: ChainLimits.totalWeightMax)) { try genesis.validate() }
        genesis = Genesis.devnet()
        genesis.validators[1].name = ""
        #expect(throws: GenesisError.self) { try genesis.validate() }
    }

    @Test("more than validatorsMax validators are refused")
    func tooManyValidators() {
        let count = ChainLimits.validatorsMax + 1
        let genesis = Genesis.devnet(validatorCount: count)
        #expect(throws: GenesisError.tooManyEntries(list: "validators", count: count, max: ChainLimits.validatorsMax)) {
            try genesis.validate()
        }
        #expect(throws: Never.self) { try Genesis.devnet(validatorCount: ChainLimits.validatorsMax).validate() }
    }

    @Test("balances and collateral that overflow the supply are refused")
    func supplyOverflow() {
        var genesis = Genesis.devnet()
        genesis.accounts[0].balance = UInt64.max - 10
        #expect(throws: GenesisError.supplyOverflow) { try genesis.validate() }
    }

    @Test("ill-formed chain ids and a chain id other than the expected one are refused")
    func chainIdRules() {
        for bad in ["", "Pouw", "pouw_devnet", "pouw devnet", String(repeating: "a", count: 49)] {
            var genesis = Genesis.devnet()
            genesis.chainId = bad
            #expect(throws: GenesisError.self) { try genesis.validate() }
            #expect(!ChainId.isValid(bad))
        }
        #expect(ChainId.isValid(String(repeating: "a", count: 48)))
        let mismatch = GenesisError.chainIdMismatch(expected: "pouw-mainnet", actual: "pouw-devnet")
        expectError(mismatch, expectedChainId: "pouw-mainnet") { _ in }
    }

    static let transactionsAboveMax = UInt64(ChainLimits.transactionsPerBlockMax + 1)

    @Test("parameters out of range are listed, sprintLength >= epochLength among them")
    func parameterRules() throws {
        var genesis = Genesis.devnet()
        genesis.parameters.sprintLength = genesis.parameters.epochLength
        genesis.parameters.weightCapPercent = 0
        genesis.parameters.model.sha256 = "ABC"
        let error = #expect(throws: GenesisError.self) { try genesis.validate() }
        guard case let .invalidParameters(lines) = error else {
            Issue.record("expected invalidParameters, got \(String(describing: error))")
            return
        }
        #expect(lines.count == 3)
        #expect(lines.contains { $0.contains("sprintLength") })
        #expect(lines.contains { $0.contains("weightCapPercent") })
        #expect(lines.contains { $0.contains("model.sha256") })
        for edit in [
            { (p: inout ChainParameters) in p.unbondingBlocks = 0 },
            { (p: inout ChainParameters) in p.unbondingBlocks = p.epochLength - 1 },
            { (p: inout ChainParameters) in p.transactionsPerBlockMax = Self.transactionsAboveMax },
            { (p: inout ChainParameters) in p.sprintVerifiers = 0 },
            { (p: inout ChainParameters) in p.epochLength = 1 },
        ] {
            var parameters = ChainParameters()
            edit(&parameters)
            #expect(parameters.violations().count >= 1)
        }
    }

    @Test("unknown fields, missing fields and non-JSON are refused with the field named")
    func malformedFiles() {
        var text = Self.devnetJSON
        text = text.replacingOccurrences(of: "\"epochLength\"", with: "\"epochLenght\"")
        let error = #expect(throws: GenesisError.self) { try Self.parse(text) }
        guard case let .malformed(reason) = error else {
            Issue.record("expected malformed, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("epochLenght"))
        text = Self.devnetJSON.replacingOccurrences(of: "\"chainId\"", with: "\"chain\"")
        #expect(throws: GenesisError.self) { try Self.parse(text) }
        #expect(throws: GenesisError.self) { try Self.parse("not json") }
        #expect(throws: GenesisError.self) { try Genesis.load(path: "/nonexistent/genesis.json") }
    }
}
