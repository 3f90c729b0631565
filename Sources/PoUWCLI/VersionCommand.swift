import ArgumentParser
import PoUWCore
import PoUWCrypto
import PoUWStorage
import PoUWUV

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the software, protocol and library versions."
    )

    func run() {
        print("pouw \(Version.software)")
        print("wire encoding v\(Version.wire)")
        print("libsodium \(Sodium.version)")
        print("lmdb \(LMDBInfo.version)")
        print("libuv \(LibUV.version)")
    }
}
