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
        print("libsodium \(SodiumLibrary.version)")
        print("lmdb \(LMDBLibrary.version)")
        print("libuv \(LibUV.version)")
    }
}
