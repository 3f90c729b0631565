/// The `pouw` command line. Usage errors exit 64 with the usage text; operational failures print
/// "Error: <what happened and what to do>" and exit 1.
import ArgumentParser
import Foundation

@main
struct Pouw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pouw",
        abstract: "Node software for the pouw proof-of-useful-work network.",
        subcommands: [
            InitCommand.self, NodeCommand.self, TestnetCommand.self, StatusCommand.self, TxCommand.self,
            ChatCommand.self, KeysCommand.self, InferCommand.self, ScoreCommand.self, BenchCommand.self,
            VersionCommand.self, DebugCommand.self,
        ]
    )
}

/// An operational failure: printed as "Error: message", exit status 1.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { self.description = message }
}

/// The `--home` option shared by every command that works on a node home.
struct HomeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Node home directory (default: $POUW_HOME, else ~/.pouw).",
                                            valueName: "dir"))
    var home: String?

    var resolved: String {
        if let home { return home }
        if let env = ProcessInfo.processInfo.environment["POUW_HOME"], !env.isEmpty { return env }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".pouw").path
    }

    func validate() throws {
        if let home, home.isEmpty { throw ValidationError("--home must not be empty") }
    }
}
