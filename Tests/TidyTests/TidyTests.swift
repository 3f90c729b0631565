import Foundation
import Testing

/// Rules the compiler cannot enforce (style.md §6): each C module is imported only by its owner,
/// pure modules never read the wall clock or system randomness, the kernels never import
/// Foundation, lines stay within 120 columns, and nothing is left marked TODO/FIXME.
struct Tidy {
    struct Violation: CustomStringConvertible, Equatable {
        let file: String
        let line: Int
        let rule: String
        var description: String { "\(file):\(line): \(rule)" }
    }

    /// C module → the only Swift module allowed to import it.
    static let cOwners = ["CSodium": "PoUWCrypto", "CLMDB": "PoUWStorage", "CLibUV": "PoUWUV"]
    /// Modules that must be deterministic functions of their inputs.
    static let pureModules: Set<String> = [
        "PoUWCore", "PoUWWire", "PoUWKernels", "PoUWInference", "PoUWConsensus", "PoUWChain", "PoUWNet",
        "PoUWGossip", "PoUWWork", "PoUWTesting",
    ]
    /// Wall-clock and system-randomness APIs banned in pure modules.
    static let impureAPIs = [
        "Date()", "Date.now", "Date(timeIntervalSinceNow", "CFAbsoluteTimeGetCurrent", "clock_gettime",
        "gettimeofday", "time(nil)", "DispatchTime.now", "DispatchWallTime.now", "ContinuousClock",
        "SuspendingClock", "SystemRandomNumberGenerator", "arc4random", "getrandom", "/dev/urandom",
        "systemUptime", "mach_absolute_time",
    ]
    /// Random helpers are allowed only with an explicit, injected generator (`using:`).
    static let randomCalls = [".random(", ".randomElement(", ".shuffled(", ".shuffle("]
    static let lineColumnsMax = 120

    /// Checks one file of `module`; `text` is its contents.
    static func check(module: String, file: String, text: String) -> [Violation] {
        var found: [Violation] = []
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let code = trimmed.hasPrefix("//") ? "" : line
            func flag(_ rule: String) { found.append(Violation(file: file, line: i + 1, rule: rule)) }
            if line.count > lineColumnsMax { flag("line longer than \(lineColumnsMax) columns") }
            if line.contains("TODO") || line.contains("FIXME") { flag("TODO/FIXME left in the code") }
            if let imported = importedModule(trimmed) {
                if let owner = cOwners[imported], owner != module {
                    flag("\(imported) may be imported only by \(owner)")
                }
                if module == "PoUWKernels" && imported == "Foundation" {
                    flag("PoUWKernels must not import Foundation")
                }
            }
            guard pureModules.contains(module) else { continue }
            for api in impureAPIs where code.contains(api) {
                flag("pure module uses \(api): inject a Clock or Entropy instead")
            }
            for call in randomCalls where code.contains(call) && !code.contains("using:") {
                flag("pure module calls \(call)…) without `using:` a seeded generator")
            }
        }
        return found
    }

    /// The module named by an import declaration (`import X`, `internal import X`, `@_exported import X.Y`).
    static func importedModule(_ line: String) -> String? {
        let words = line.split(separator: " ").map(String.init)
        guard let at = words.firstIndex(of: "import"), at + 1 < words.count else { return nil }
        let before = words[..<at]
        let modifiers: Set<String> = ["public", "internal", "package", "private", "fileprivate", "@_exported",
                                      "@preconcurrency", "@testable", "@_implementationOnly"]
        guard before.allSatisfy({ modifiers.contains($0) }) else { return nil }
        return String(words[at + 1].split(separator: ".").first ?? "")
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Every Swift file under Sources/, as (module, path relative to the package, text).
    static func sourceFiles() throws -> [(module: String, path: String, text: String)] {
        let sources = packageRoot.appendingPathComponent("Sources")
        var files: [(String, String, String)] = []
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted()
        for module in modules {
            let dir = sources.appendingPathComponent(module)
            guard let walker = FileManager.default.enumerator(atPath: dir.path) else { continue }
            for case let relative as String in walker where relative.hasSuffix(".swift") {
                let url = dir.appendingPathComponent(relative)
                files.append((module, "Sources/\(module)/\(relative)", try String(contentsOf: url, encoding: .utf8)))
            }
        }
        return files
    }
}

@Suite struct TidyTests {
    @Test("every Swift source file follows the tidy rules")
    func sourcesAreTidy() throws {
        let files = try Tidy.sourceFiles()
        #expect(files.count > 10, "found only \(files.count) source files under \(Tidy.packageRoot.path)")
        let violations = files.flatMap { Tidy.check(module: $0.module, file: $0.path, text: $0.text) }
        #expect(violations.isEmpty, "tidy violations:\n\(violations.map(\.description).joined(separator: "\n"))")
    }

    @Test("a C module imported outside its owner is reported")
    func foreignCImportIsReported() {
        let v = Tidy.check(module: "PoUWWire", file: "x.swift", text: "internal import CSodium\nimport CLMDB\n")
        #expect(v.map(\.rule) == [
            "CSodium may be imported only by PoUWCrypto", "CLMDB may be imported only by PoUWStorage",
        ])
        #expect(Tidy.check(module: "PoUWCrypto", file: "x.swift", text: "internal import CSodium\n").isEmpty)
    }

    @Test("a pure module reading the clock or system randomness is reported")
    func impureCallsInPureModulesAreReported() {
        let text = "let now = Date()\nlet r = Int.random(in: 0..<5)\nlet ok = Int.random(in: 0..<5, using: &g)\n"
        #expect(Tidy.check(module: "PoUWCore", file: "x.swift", text: text).map(\.line) == [1, 2])
        #expect(Tidy.check(module: "PoUWNode", file: "x.swift", text: text).isEmpty)
    }

    @Test("Foundation in the kernels, long lines and TODOs are reported")
    func kernelFoundationLongLinesAndTodosAreReported() {
        #expect(Tidy.check(module: "PoUWKernels", file: "x.swift", text: "import Foundation\n").count == 1)
        let long = String(repeating: "x", count: Tidy.lineColumnsMax + 1)
        #expect(Tidy.check(module: "PoUWNode", file: "x.swift", text: long).count == 1)
        #expect(Tidy.check(module: "PoUWNode", file: "x.swift", text: "// TODO: later").count == 1)
    }
}
