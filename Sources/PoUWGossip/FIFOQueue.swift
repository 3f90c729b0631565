/// A first-in, first-out queue over an array: amortised O(1) append and pop, storage reclaimed as
/// the front is consumed.
struct FIFOQueue<Element> {
    private var storage: [Element] = []
    private var head = 0

    /// The fewest consumed slots worth compacting away.
    private static var compactionSlotsMin: Int { 1024 }

    var count: Int { storage.count - head }
    var isEmpty: Bool { count == 0 }
    var first: Element? { isEmpty ? nil : storage[head] }

    mutating func append(_ element: Element) { storage.append(element) }

    @discardableResult
    mutating func popFirst() -> Element? {
        guard head < storage.count else { return nil }
        let element = storage[head]
        head += 1
        if head >= Self.compactionSlotsMin && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }
}

extension FIFOQueue: Sendable where Element: Sendable {}
