/// `pouw tx transfer|bond|unbond|register-host`: sign a transaction with a home's key and submit it.
import ArgumentParser
import Foundation
import PoUWAPI
import PoUWChain
import PoUWCore
import PoUWCrypto
import PoUWNode
import PoUWWire

struct TxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tx",
        abstract: "Sign a transaction with a node home's key and submit it to a node.",
        subcommands: [Transfer.self, Bond.self, Unbond.self, RegisterHost.self]
    )

    /// Options every transaction subcommand shares.
    struct Common: ParsableArguments {
        @OptionGroup var where_: APIOptions

        @Option(help: "Which key of the home signs: node (the validator key) or account.")
        var key: KeyChoice = .node

        @Option(help: "Fee, at least the genesis's minimum fee (paid to the block's proposer).")
        var fee: UInt64 = 1

        enum KeyChoice: String, ExpressibleByArgument { case node, account }

        /// Signs `body` with the chosen key, using the sender's next nonce from the node, and submits it.
        func submit(_ body: TransactionBody) throws {
            let client = try where_.client()
            let nodeHome = NodeHome(path: where_.home.resolved)
            let signer: KeyPair
            do { signer = try key == .node ? nodeHome.nodeKey() : nodeHome.accountKey() } catch {
                throw Failure("\(error)")
            }
            do {
                let status = try client.status()
                let account = try client.account(signer.publicKey)
                let tx = SignedTransaction.sign(
                    Transaction(chainId: status.chainId, sender: signer.publicKey, nonce: account.nextNonce, fee: fee,
                                body: body),
                    with: signer
                )
                let id = try client.submit(txBytes: Wire.encode(tx))
                print("submitted \(id) (nonce \(account.nextNonce)) from \(signer.publicKey)")
            } catch {
                throw Failure("\(error)")
            }
        }
    }

    static func parseKey(_ text: String) throws -> PublicKey {
        guard let bytes = Hex.decode(text), bytes.count == PublicKey.byteCount else {
            throw ValidationError("\(text) is not 64 hex digits of a public key (accounts are keyed by public key; "
                                  + "`pouw keys show` prints it)")
        }
        let key = PublicKey(bytes)
        guard Ed25519.isValidPublicKey(key) else { throw ValidationError("\(text) is not a valid Ed25519 key") }
        return key
    }

    struct Transfer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send an amount to another account.")
        @OptionGroup var common: Common
        @Option(help: ArgumentHelp("Recipient's public key (64 hex digits).", valueName: "key"))
        var to: String
        @Option(help: "Amount in the smallest unit.")
        var amount: UInt64

        func run() throws { try common.submit(.transfer(to: try TxCommand.parseKey(to), amount: amount)) }
    }

    struct Bond: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Bond collateral (backs Sprint weight).")
        @OptionGroup var common: Common
        @Option(help: "Amount in the smallest unit.")
        var amount: UInt64

        func run() throws { try common.submit(.bond(amount: amount)) }
    }

    struct Unbond: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Unbond collateral; it returns to the balance after the unbonding period."
        )
        @OptionGroup var common: Common
        @Option(help: "Amount in the smallest unit.")
        var amount: UInt64

        func run() throws { try common.submit(.unbond(amount: amount)) }
    }

    struct RegisterHost: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "register-host", abstract: "Register or update this host: models, API endpoint, hardware."
        )
        @OptionGroup var common: Common
        @Option(help: "Models served, comma-separated.")
        var models: String
        @Option(help: "The host's public API endpoint.")
        var endpoint: String
        @Option(help: "Hardware class, e.g. cpu-avx2, gpu-h100.")
        var hardware: String

        func run() throws {
            let list = models.split(separator: ",").map { String($0.trimmingCharacters(in: .whitespaces)) }
            let host = HostInfo(models: list, apiEndpoint: endpoint, hardwareClass: hardware)
            if let problem = host.violation { throw ValidationError(problem) }
            try common.submit(.registerHost(host))
        }
    }
}
