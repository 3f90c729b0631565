/// Finds stop sequences in generated text as it streams. Text that might be the start of a stop
/// sequence is held back until it is known not to be; when a stop sequence appears, the text before
/// its earliest occurrence is released and generation should end (the stop sequence is not output).
/// Matching is on exact UTF-8 bytes.
public struct SamplerStopMatcher: Sendable {
    private let stops: [[UInt8]]
    private var held: [UInt8] = []
    public private(set) var isStopped = false

    public init(stopSequences: [String]) {
        stops = stopSequences.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// Feeds newly decoded text. Returns the text that can be released now and whether a stop
    /// sequence has been reached. Must not be called after a stop.
    public mutating func append(_ text: String) -> (text: String, stopped: Bool) {
        precondition(!isStopped, "append after a stop sequence matched")
        held += text.utf8
        if let match = earliestMatch() {
            isStopped = true
            let released = String(decoding: held[0..<match], as: UTF8.self)
            held.removeAll()
            return (released, true)
        }
        let keep = longestSuffixStartingAStop()
        let released = String(decoding: held[0..<(held.count - keep)], as: UTF8.self)
        held.removeFirst(held.count - keep)
        return (released, false)
    }

    /// Releases whatever is held back (generation ended without a stop sequence).
    public mutating func finish() -> String {
        defer { held.removeAll() }
        return String(decoding: held, as: UTF8.self)
    }

    private func earliestMatch() -> Int? {
        var best: Int?
        for stop in stops where stop.count <= held.count {
            var start = 0
            while start + stop.count <= held.count && start < (best ?? Int.max) {
                if held[start..<(start + stop.count)].elementsEqual(stop) {
                    best = start
                    break
                }
                start += 1
            }
        }
        return best
    }

    /// Length of the longest suffix of `held` that is a proper prefix of some stop sequence.
    private func longestSuffixStartingAStop() -> Int {
        var longest = 0
        for stop in stops {
            var length = min(stop.count - 1, held.count)
            while length > longest {
                if held[(held.count - length)...].elementsEqual(stop[0..<length]) {
                    longest = length
                    break
                }
                length -= 1
            }
        }
        return longest
    }
}
