import ArgumentParser
import Foundation
import PoUWCrypto
import PoUWNode

struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Show a node's keys or create a new key file.",
        subcommands: [Show.self, New.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the node id and account address.")

        @OptionGroup var home: HomeOptions

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let nodeHome = NodeHome(path: home.resolved)
            let node: KeyPair
            let account: KeyPair
            do {
                node = try nodeHome.nodeKey()
                account = try nodeHome.accountKey()
            } catch {
                throw Failure("\(error)")
            }
            let address = Address(publicKey: account.publicKey)
            if json {
                print("{\"node_id\":\"\(node.publicKey)\",\"account_address\":\"\(address)\","
                    + "\"account_public_key\":\"\(account.publicKey)\"}")
            } else {
                print("node id             \(node.publicKey)")
                print("account address     \(address)")
                print("account public key  \(account.publicKey)")
            }
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate an Ed25519 key into a new key file (mode 0600); never overwrites."
        )

        @Option(help: ArgumentHelp("Where to write the key file.", valueName: "path"))
        var out: String

        func validate() throws {
            if out.isEmpty { throw ValidationError("--out must not be empty") }
        }

        func run() throws {
            if FileManager.default.fileExists(atPath: out) {
                throw Failure("\(out) already exists; keys are never overwritten, choose another --out")
            }
            let key = KeyPair.generate()
            do { try KeyFile.write(key, to: out) } catch { throw Failure("cannot write \(out): \(error)") }
            print("wrote \(out)")
            print("public key  \(key.publicKey)")
            print("address     \(Address(publicKey: key.publicKey))")
        }
    }
}
