import Foundation
import PoUWStorage
import PoUWStorageProbe
import Testing

/// Crash safety of `LMDBStore`: a child process commits `CrashWorkload` transactions and is killed
/// with SIGKILL; the reopened database must hold every transaction it reported, each whole.
@Suite struct LMDBStoreCrashTests {
    /// When, relative to the probe's output, the test kills it.
    enum KillMoment: CaseIterable, CustomStringConvertible {
        /// Right after a bulk transaction (2 MiB) began.
        case bulkBegun
        /// Inside a bulk transaction's write closure, halfway through its values.
        case bulkHalfway
        /// A little after the halfway point, so most often during the commit's writes and fsync.
        case bulkCommitting
        /// Right after a commit was reported, as the next (small) transaction starts.
        case afterCommit

        var description: String {
            switch self {
            case .bulkBegun: "at the start of a bulk transaction"
            case .bulkHalfway: "halfway through a bulk transaction"
            case .bulkCommitting: "while a bulk transaction commits"
            case .afterCommit: "just after a commit"
            }
        }

        /// Whether the probe line `event N` is the moment to kill.
        func matches(event: Substring, sequence: UInt64) -> Bool {
            switch self {
            case .bulkBegun: event == "begin" && CrashWorkload.writesBulk(sequence)
            case .bulkHalfway, .bulkCommitting: event == "halfway" && CrashWorkload.writesBulk(sequence)
            case .afterCommit: event == "commit"
            }
        }
    }

    /// Commits the probe must report before the test starts watching for its kill moment.
    static let commitsBeforeKillMin = 3

    @Test("every transaction reported committed survives SIGKILL at four moments, none of them torn")
    func killAtFourMoments() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var lastBefore: UInt64 = 0
        for moment in KillMoment.allCases {
            let reported = try runProbeAndKill(directory, at: moment)
            try #require(!reported.isEmpty, "the probe reported no commit before being killed \(moment)")
            #expect(reported == Array(lastBefore + 1...lastBefore + UInt64(reported.count)),
                    "the probe resumes after the last transaction found on disk")
            lastBefore = try verify(directory, reported: reported, killed: moment)
        }
    }

    /// Starts the probe, kills it at `moment` and returns every sequence number it reported committed.
    private func runProbeAndKill(_ directory: TemporaryDirectory, at moment: KillMoment) throws -> [UInt64] {
        let probe = try ProbeProcess(["commit-loop", directory.path])
        defer { probe.kill() }
        var committed: [UInt64] = []
        func record(_ line: String) -> (event: Substring, sequence: UInt64)? {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let sequence = UInt64(parts[1]) else { return nil }
            if parts[0] == "commit" { committed.append(sequence) }
            return (parts[0], sequence)
        }
        while true {
            let line = try probe.requireLine(awaiting: "the moment \(moment)")
            let parsed = try #require(record(line), "unexpected probe output '\(line)'")
            let armed = committed.count >= Self.commitsBeforeKillMin
            if armed && moment.matches(event: parsed.event, sequence: parsed.sequence) { break }
        }
        if moment == .bulkCommitting { usleep(2_000) }
        probe.kill()
        #expect(probe.wasKilled)
        for line in probe.remainingLines() { _ = record(line) }
        return committed
    }

    /// Reopens the database and checks it holds exactly transactions 1…last, whole, with `last` the
    /// last reported commit or the one after it (committed, killed before it could say so).
    /// Returns `last`.
    private func verify(_ directory: TemporaryDirectory, reported: [UInt64], killed moment: KillMoment) throws
        -> UInt64
    {
        try withLMDBStore(directory, tables: CrashWorkload.tables) { store in
            try store.read { (tx) throws in
                let last = try #require(try tx.get(CrashWorkload.meta, CrashWorkload.lastKey))
                let reportedLast = reported.last ?? 0
                #expect(last == reportedLast || last == reportedLast + 1, "killed \(moment)")
                let history = try tx.scan(CrashWorkload.history, limit: Int(last) + 1)
                #expect(history.map(\.key) == Array(1...last), "killed \(moment)")
                #expect(history.allSatisfy { entry in
                    entry.value == CrashWorkload.value(
                        sequence: entry.key, index: 0, byteCount: CrashWorkload.historyValueBytes)
                }, "killed \(moment)")
                let rolling = try tx.scan(CrashWorkload.rolling, limit: Int(CrashWorkload.rollingCount) + 1)
                #expect(rolling.map(\.key) == Array(0..<CrashWorkload.rollingCount), "killed \(moment)")
                #expect(rolling.allSatisfy { entry in
                    entry.value == CrashWorkload.value(
                        sequence: last, index: entry.key, byteCount: CrashWorkload.rollingValueBytes)
                }, "rolling values all from transaction \(last), killed \(moment)")
                let lastBulk = last - last % CrashWorkload.bulkEvery
                let bulk = try tx.scan(CrashWorkload.bulk, limit: Int(CrashWorkload.bulkCount) + 1)
                #expect(bulk.count == (lastBulk == 0 ? 0 : Int(CrashWorkload.bulkCount)), "killed \(moment)")
                #expect(bulk.allSatisfy { entry in
                    entry.value == CrashWorkload.value(
                        sequence: lastBulk, index: entry.key, byteCount: CrashWorkload.bulkValueBytes)
                }, "bulk values all from transaction \(lastBulk), killed \(moment)")
                return last
            }
        }
    }
}
