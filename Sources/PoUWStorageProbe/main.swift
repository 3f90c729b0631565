// PoUWStorageProbe: the child process of PoUWStorageTests. It opens an LMDBStore the way the node does
// and does one job until it is killed or done, reporting progress as lines on stdout:
//
//   commit-loop DIR   commits CrashWorkload transactions last+1, last+2, … forever, printing
//                     "begin N" before each, "halfway N" in the middle of its write closure and
//                     "commit N" once `write` has returned (so N is durable).
//   hold-reader DIR   opens a read transaction, prints "ready" and waits inside it.
//   hold-open DIR     opens the store, prints "ready" and waits.
//   fill DIR BYTES    writes BYTES of 64 KiB values into table "fill" in 1 MiB transactions, prints
//                     "done COUNT" and exits.
//
// Stores are opened with a 1 MiB map, so the map grows while the probe runs. The probe ends itself
// (SIGALRM) after `probeLifetimeSecondsMax`, so a test that fails before killing it leaves nothing behind.
import Foundation
import PoUWCore
import PoUWStorage

/// Writes `line` to stdout at once (unbuffered: the parent acts on each line, then kills us).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("PoUWStorageProbe: " + message + "\n").utf8))
    exit(2)
}

func waitForever() -> Never {
    while true { pause() }
}

let fillTable = Table<UInt64, [UInt8]>("fill")
let probeOptions = LMDBOptions(mapBytesInitial: 1024 * 1024)

func commitLoop(_ directory: String) throws -> Never {
    let store = try LMDBStore(directory: directory, tables: CrashWorkload.tables, options: probeOptions)
    var sequence = try store.read { try $0.get(CrashWorkload.meta, CrashWorkload.lastKey) } ?? 0
    while true {
        sequence += 1
        say("begin \(sequence)")
        try store.write { tx in
            try CrashWorkload.write(sequence, tx) { say("halfway \(sequence)") }
        }
        say("commit \(sequence)")
    }
}

func fill(_ directory: String, bytes: Int) throws {
    let store = try LMDBStore(directory: directory, tables: [fillTable], options: probeOptions)
    let valueBytes = 64 * 1024
    let valuesPerTransaction = 16
    var count: UInt64 = 0
    while Int(count) * valueBytes < bytes {
        try store.write { tx in
            for index in count..<count + UInt64(valuesPerTransaction) {
                try tx.put(fillTable, index, CrashWorkload.value(sequence: index, index: 0, byteCount: valueBytes))
            }
        }
        count += UInt64(valuesPerTransaction)
    }
    store.close()
    say("done \(count)")
}

let probeLifetimeSecondsMax: UInt32 = 300
alarm(probeLifetimeSecondsMax)

let arguments = CommandLine.arguments
guard arguments.count >= 3 else { fail("usage: PoUWStorageProbe commit-loop|hold-reader|hold-open|fill DIR [BYTES]") }
let directory = arguments[2]
do {
    switch arguments[1] {
    case "commit-loop":
        try commitLoop(directory)
    case "hold-reader":
        let store = try LMDBStore(directory: directory, tables: [fillTable], options: probeOptions)
        try store.read { _ in
            say("ready")
            waitForever()
        }
    case "hold-open":
        let store = try LMDBStore(directory: directory, tables: [fillTable], options: probeOptions)
        say("ready")
        withExtendedLifetime(store) { waitForever() }
    case "fill":
        guard arguments.count == 4, let bytes = Int(arguments[3]) else { fail("fill needs DIR BYTES") }
        try fill(directory, bytes: bytes)
    default:
        fail("unknown mode \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
