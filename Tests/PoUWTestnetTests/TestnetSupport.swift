import Foundation
import PoUWAPI
import PoUWNode

/// A local testnet of real `pouw node` processes for the end-to-end tests: homes made by
/// `pouw testnet --create-only`, processes supervised by a `ProcessGroup`, state read over each node's
/// HTTP API. `stop()` (call it in a `defer`) kills every process.
final class LocalTestnet {
    let directory: String
    let basePort: Int
    let total: Int
    let group = ProcessGroup()
    private var launched: [Int: Int] = [:]

    /// The `pouw` executable beside the test bundle.
    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("pouw").path
    }()

    /// The reference model, found from the package root.
    static let modelPath: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".models/SmolLM2-135M-Instruct.Q4_1.gguf").path
    }()

    init(validators: Int, observers: Int, extraArguments: [String]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pouw-testnet-\(UUID().uuidString)").path
        basePort = 20_000 + Int.random(in: 0..<600) * 20  // below the ephemeral range (32768+)
        total = validators + observers
        let output = try Self.run([
            "testnet", "--nodes", "\(validators)", "--observers", "\(observers)", "--dir", directory,
            "--base-port", "\(basePort)", "--model", Self.modelPath, "--create-only",
        ] + extraArguments)
        guard output.status == 0 else { throw TestnetError("pouw testnet --create-only failed: \(output.text)") }
    }

    struct TestnetError: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = text }
    }

    /// Runs `pouw` to completion and returns its exit status and output.
    static func run(_ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func home(_ index: Int) -> String { "\(directory)/node\(index)" }
    func client(_ index: Int) -> APIClient { APIClient(baseURL: "http://127.0.0.1:\(basePort + 2 * index + 1)", timeoutSeconds: 3) }

    /// Starts node `index` (or restarts it after it died).
    func start(_ index: Int) throws {
        if let slot = launched[index] {
            try group.restart(slot)
        } else {
            launched[index] = try group.launch(ProcessSpec(
                executable: Self.binary, arguments: ["node", "--home", home(index)], logPath: home(index) + "/node.log"
            ))
        }
    }

    func kill(_ index: Int) {
        guard let slot = launched[index] else { return }
        _ = group.signal(slot, SIGKILL)
        _ = group.waitAll(timeout: .milliseconds(1))
        let deadline = Date().addingTimeInterval(10)
        while group.isRunning(slot), Date() < deadline { usleep(20_000) }
    }

    func isRunning(_ index: Int) -> Bool { launched[index].map { group.isRunning($0) } ?? false }

    func stop() {
        group.stopAll(grace: .seconds(5))
    }

    /// Node `index`'s height, or nil while it does not answer.
    func height(_ index: Int) -> UInt64? { try? client(index).status().height }

    /// Polls until `condition` holds or `seconds` pass; returns whether it held.
    @discardableResult
    func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(250_000)
        }
        return condition()
    }

    /// Waits until every node in `indices` reports a height ≥ `target`.
    @discardableResult
    func waitForHeight(_ target: UInt64, nodes indices: [Int], seconds: Double) -> Bool {
        wait(seconds: seconds) { indices.allSatisfy { (height($0) ?? 0) >= target } }
    }

    /// The tail of node `index`'s log, for failure messages.
    func logTail(_ index: Int, lines: Int = 30) -> String {
        let text = (try? String(contentsOfFile: home(index) + "/node.log", encoding: .utf8)) ?? "(no log)"
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
