/// The JSON shape of a genesis file (docs/genesis.md). Keys are hex text here and become
/// `PublicKey`s in `genesis()`, which reports a bad key by its field path.
import Foundation
import PoUWCore

struct GenesisFile: Codable {
    struct Account: Codable {
        var publicKey: String
        var balance: UInt64

        init(from decoder: any Decoder) throws {
            try JSONFields.refuseUnknown(decoder, known: ["publicKey", "balance"], in: "an account")
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            publicKey = try c.decode(String.self, forKey: AnyCodingKey(stringValue: "publicKey"))
            balance = try c.decode(UInt64.self, forKey: AnyCodingKey(stringValue: "balance"))
        }

        init(publicKey: String, balance: UInt64) {
            self.publicKey = publicKey
            self.balance = balance
        }
    }

    struct Validator: Codable {
        var publicKey: String
        var weight: UInt64
        var collateral: UInt64
        var name: String

        init(from decoder: any Decoder) throws {
            try JSONFields.refuseUnknown(
                decoder, known: ["publicKey", "weight", "collateral", "name"], in: "a validator"
            )
            let c = try decoder.container(keyedBy: AnyCodingKey.self)
            publicKey = try c.decode(String.self, forKey: AnyCodingKey(stringValue: "publicKey"))
            weight = try c.decode(UInt64.self, forKey: AnyCodingKey(stringValue: "weight"))
            collateral = try c.decodeIfPresent(UInt64.self, forKey: AnyCodingKey(stringValue: "collateral")) ?? 0
            name = try c.decode(String.self, forKey: AnyCodingKey(stringValue: "name"))
        }

        init(publicKey: String, weight: UInt64, collateral: UInt64, name: String) {
            self.publicKey = publicKey
            self.weight = weight
            self.collateral = collateral
            self.name = name
        }
    }

    var chainId: String
    var genesisTimeMilliseconds: UInt64
    var parameters: ChainParameters
    var accounts: [Account]
    var validators: [Validator]

    static let fields = ["chainId", "genesisTimeMilliseconds", "parameters", "accounts", "validators"]

    init(from decoder: any Decoder) throws {
        try JSONFields.refuseUnknown(decoder, known: Self.fields, in: "the genesis")
        let c = try decoder.container(keyedBy: AnyCodingKey.self)
        func key(_ name: String) -> AnyCodingKey { AnyCodingKey(stringValue: name) }
        chainId = try c.decode(String.self, forKey: key("chainId"))
        genesisTimeMilliseconds = try c.decode(UInt64.self, forKey: key("genesisTimeMilliseconds"))
        parameters = try c.decodeIfPresent(ChainParameters.self, forKey: key("parameters")) ?? ChainParameters()
        accounts = try c.decodeIfPresent([Account].self, forKey: key("accounts")) ?? []
        validators = try c.decode([Validator].self, forKey: key("validators"))
    }

    init(_ genesis: Genesis) {
        chainId = genesis.chainId
        genesisTimeMilliseconds = genesis.genesisTimeMilliseconds
        parameters = genesis.parameters
        accounts = genesis.accounts.map { Account(publicKey: $0.publicKey.description, balance: $0.balance) }
        validators = genesis.validators.map {
            Validator(publicKey: $0.publicKey.description, weight: $0.weight, collateral: $0.collateral, name: $0.name)
        }
    }

    /// The typed genesis (not yet validated beyond key syntax).
    func genesis() throws(GenesisError) -> Genesis {
        var typedAccounts: [GenesisAccount] = []
        for (index, account) in accounts.enumerated() {
            let key = try Self.key(account.publicKey, field: "accounts[\(index)].publicKey")
            typedAccounts.append(GenesisAccount(publicKey: key, balance: account.balance))
        }
        var typedValidators: [GenesisValidator] = []
        for (index, validator) in validators.enumerated() {
            let key = try Self.key(validator.publicKey, field: "validators[\(index)].publicKey")
            typedValidators.append(GenesisValidator(
                publicKey: key, weight: validator.weight, collateral: validator.collateral, name: validator.name
            ))
        }
        return Genesis(
            chainId: chainId, genesisTimeMilliseconds: genesisTimeMilliseconds, parameters: parameters,
            accounts: typedAccounts, validators: typedValidators
        )
    }

    private static func key(_ text: String, field: String) throws(GenesisError) -> PublicKey {
        guard let bytes = Hex.decode(text), bytes.count == PublicKey.byteCount else {
            throw .invalidPublicKey(field: field, text: text)
        }
        return PublicKey(bytes)
    }

    /// A one-line account of a decoding error: what is wrong, and at which field path.
    static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }
            let joined = parts.joined()
            return joined.isEmpty ? "the top level" : String(joined.drop { $0 == "." })
        }
        switch error {
        case let .keyNotFound(key, context):
            return "missing field \"\(key.stringValue)\" at \(path(context))"
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case let .dataCorrupted(context):
            return "\(context.debugDescription) (at \(path(context)))"
        @unknown default:
            return "\(error)"
        }
    }
}
