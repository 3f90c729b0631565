/// Byte-pair merging over token ids. A word starts as one token per byte; the adjacent pair with the
/// lowest merge rank is merged (the leftmost pair on ties) until no ranked pair is left, as llama.cpp's
/// BPE session does. Runs in O(n log n) for an n-byte word.
struct TokenizerBPE: Sendable {
    /// Merge table: key `left << 32 | right` (token ids), value `rank << 32 | merged id`.
    let merges: [UInt64: UInt64]
    /// The token of each single byte, or -1 when the vocabulary has none (such bytes are dropped from
    /// the output unless merged into a larger token, as llama.cpp drops them).
    let byteTokens: [Int32]

    private struct Candidate: Comparable {
        var rank: UInt32
        var left: Int32
        var leftToken: Int32
        var rightToken: Int32
        var merged: Int32

        static func < (lhs: Candidate, rhs: Candidate) -> Bool {
            lhs.rank != rhs.rank ? lhs.rank < rhs.rank : lhs.left < rhs.left
        }
    }

    /// Appends the tokens of `word` (raw bytes) to `out`.
    func encode(_ word: ArraySlice<UInt8>, into out: inout [Int]) {
        if word.count == 1, let byte = word.first {
            if byteTokens[Int(byte)] >= 0 { out.append(Int(byteTokens[Int(byte)])) }
            return
        }
        var tokens = word.map { byteTokens[Int($0)] }
        var next = (0..<tokens.count).map { Int32($0 + 1) }
        var previous = (0..<tokens.count).map { Int32($0 - 1) }
        var heap = TokenizerMinHeap<Candidate>()
        for left in 0..<(tokens.count - 1) {
            if let candidate = candidate(tokens, left: Int32(left), right: Int32(left + 1)) { heap.push(candidate) }
        }
        while let best = heap.pop() {
            let left = Int(best.left)
            let right = Int(next[left])
            // Stale if either side changed since the candidate was queued.
            guard tokens[left] == best.leftToken, right < tokens.count, tokens[right] == best.rightToken else {
                continue
            }
            tokens[left] = best.merged
            tokens[right] = -1
            let after = next[right]
            next[left] = after
            if Int(after) < tokens.count { previous[Int(after)] = Int32(left) }
            let before = previous[left]
            if before >= 0, let candidate = candidate(tokens, left: before, right: Int32(left)) {
                heap.push(candidate)
            }
            if Int(after) < tokens.count, let candidate = candidate(tokens, left: Int32(left), right: after) {
                heap.push(candidate)
            }
        }
        var index = 0
        while index < tokens.count {
            if tokens[index] >= 0 { out.append(Int(tokens[index])) }
            index = Int(next[index])
        }
    }

    private func candidate(_ tokens: [Int32], left: Int32, right: Int32) -> Candidate? {
        let leftToken = tokens[Int(left)]
        let rightToken = tokens[Int(right)]
        guard leftToken >= 0 && rightToken >= 0 else { return nil }
        let key = UInt64(UInt32(leftToken)) << 32 | UInt64(UInt32(rightToken))
        guard let entry = merges[key] else { return nil }
        return Candidate(
            rank: UInt32(entry >> 32), left: left, leftToken: leftToken, rightToken: rightToken,
            merged: Int32(truncatingIfNeeded: entry))
    }
}

/// A binary min-heap.
struct TokenizerMinHeap<Element: Comparable> {
    private var storage: [Element] = []

    mutating func push(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child] < storage[parent] else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = storage.first else { return nil }
        let last = storage.removeLast()
        if !storage.isEmpty {
            storage[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < storage.count && storage[left] < storage[smallest] { smallest = left }
                if right < storage.count && storage[right] < storage[smallest] { smallest = right }
                if smallest == parent { break }
                storage.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }
}
