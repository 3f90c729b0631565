import Foundation

/// A running PoUWStorageProbe child (see Sources/PoUWStorageProbe/main.swift), read line by line.
final class ProbeProcess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private var pending: [UInt8] = []

    /// Starts the probe with `arguments`.
    init(_ arguments: [String]) throws {
        process.executableURL = try Self.executableURL()
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    deinit {
        kill()
    }

    /// The probe binary, which SwiftPM builds into the same products directory as the test bundle.
    static func executableURL() throws -> URL {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: testBinary).deletingLastPathComponent()
        for _ in 0..<4 {  // The bundle's own directory on Linux; up from Contents/MacOS on macOS.
            let candidate = directory.appendingPathComponent("PoUWStorageProbe")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure(description: "PoUWStorageProbe was not found in the build products directory above "
            + "\(testBinary); build it with `swift build -c release --product PoUWStorageProbe`")
    }

    /// The next line the probe printed, or `nil` once its output ended.
    func nextLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            pending.append(contentsOf: chunk)
        }
    }

    /// The next line, or a failure naming what was awaited and what the probe wrote to stderr.
    func requireLine(awaiting what: String) throws -> String {
        guard let line = nextLine() else {
            process.waitUntilExit()
            throw Failure(description: "PoUWStorageProbe ended (status \(process.terminationStatus)) while "
                + "awaiting \(what); stderr: \(standardError())")
        }
        return line
    }

    /// Kills the probe with SIGKILL (if it still runs) and reaps it.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Whether the probe was ended by a signal (rather than exiting by itself).
    var wasKilled: Bool {
        process.terminationReason == .uncaughtSignal
    }

    /// Every line the probe printed that has not been read yet, up to the end of its output.
    func remainingLines() -> [String] {
        var lines: [String] = []
        while let line = nextLine() { lines.append(line) }
        return lines
    }

    /// What the probe wrote to stderr; call after it ended.
    func standardError() -> String {
        String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
}
