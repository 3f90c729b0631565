/// The pool of transactions waiting for a block. Pure logic: no clock, no IO, no signature checks
/// (the caller verifies a transaction's signature and reads the sender's account nonce before
/// `insert`).
///
/// Ordering: per sender by nonce. `reap` takes, for each sender, only the run of consecutive nonces
/// starting at its lowest pooled nonce (a gap stops it), and across senders prefers the higher fee of
/// each sender's next transaction (ties: lower sender key), so the result executes in order.
public import PoUWCore

/// Bounds of a mempool.
public struct MempoolLimits: Hashable, Sendable {
    /// Most transactions held.
    public var transactionsMax: Int
    /// Most encoded bytes held.
    public var bytesMax: Int
    /// Most transactions held per sender.
    public var perSenderMax: Int
    /// Nonces accepted per sender: account nonce ... account nonce + window − 1.
    public var nonceWindow: UInt64

    public init(transactionsMax: Int = 10_000, bytesMax: Int = 16 * 1024 * 1024, perSenderMax: Int = 64,
                nonceWindow: UInt64 = 64) {
        precondition(transactionsMax > 0 && bytesMax > 0 && perSenderMax > 0 && nonceWindow > 0,
                     "mempool limits must be positive")
        self.transactionsMax = transactionsMax
        self.bytesMax = bytesMax
        self.perSenderMax = perSenderMax
        self.nonceWindow = nonceWindow
    }
}

/// Why the mempool refused a transaction.
public enum MempoolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The same transaction is already pooled.
    case duplicate(Hash32)
    /// Another transaction of the sender with this nonce is pooled.
    case nonceTaken(sender: PublicKey, nonce: UInt64)
    /// The nonce was already used (it is below the account's nonce).
    case nonceTooLow(sender: PublicKey, accountNonce: UInt64, nonce: UInt64)
    /// The nonce is `window` or more ahead of the account's nonce.
    case nonceTooFarAhead(sender: PublicKey, accountNonce: UInt64, nonce: UInt64, window: UInt64)
    /// The pool holds its maximum of transactions or bytes.
    case full(transactionsMax: Int, bytesMax: Int)
    /// The sender holds its maximum of pooled transactions.
    case senderFull(sender: PublicKey, perSenderMax: Int)

    public var description: String {
        switch self {
        case let .duplicate(id): "transaction \(id) is already in the mempool"
        case let .nonceTaken(sender, nonce):
            "sender \(sender) already has a pooled transaction with nonce \(nonce); wait for it to be included"
        case let .nonceTooLow(sender, accountNonce, nonce):
            "nonce \(nonce) of \(sender) was already used (the account's next nonce is \(accountNonce))"
        case let .nonceTooFarAhead(sender, accountNonce, nonce, window):
            "nonce \(nonce) of \(sender) is \(window) or more ahead of the account's next nonce \(accountNonce); "
                + "send the missing nonces first"
        case let .full(transactionsMax, bytesMax):
            "the mempool is full (\(transactionsMax) transactions or \(bytesMax) bytes); retry later"
        case let .senderFull(sender, perSenderMax):
            "sender \(sender) already has \(perSenderMax) pooled transactions; wait for some to be included"
        }
    }
}

public struct Mempool: Sendable {
    struct Entry: Sendable {
        var transaction: SignedTransaction
        var id: Hash32
        var byteCount: Int
    }

    public let limits: MempoolLimits
    /// Per sender, nonce → entry.
    private var bySender: [PublicKey: [UInt64: Entry]] = [:]
    private var ids: Set<Hash32> = []
    /// Transactions held.
    public private(set) var count = 0
    /// Encoded bytes held.
    public private(set) var byteCount = 0

    public init(limits: MempoolLimits = MempoolLimits()) {
        self.limits = limits
    }

    /// Whether the transaction with `id` is pooled.
    public func contains(_ id: Hash32) -> Bool { ids.contains(id) }

    /// Adds `transaction`, whose sender's account nonce is `accountNonce`.
    /// - Throws: `MempoolError`; nothing changes then.
    public mutating func insert(_ transaction: SignedTransaction, accountNonce: UInt64) throws(MempoolError) {
        let id = transaction.id
        let sender = transaction.transaction.sender
        let nonce = transaction.transaction.nonce
        guard !ids.contains(id) else { throw .duplicate(id) }
        guard nonce >= accountNonce else {
            throw .nonceTooLow(sender: sender, accountNonce: accountNonce, nonce: nonce)
        }
        guard nonce - accountNonce < limits.nonceWindow else {
            throw .nonceTooFarAhead(
                sender: sender, accountNonce: accountNonce, nonce: nonce, window: limits.nonceWindow
            )
        }
        let queue = bySender[sender] ?? [:]
        guard queue[nonce] == nil else { throw .nonceTaken(sender: sender, nonce: nonce) }
        guard queue.count < limits.perSenderMax else {
            throw .senderFull(sender: sender, perSenderMax: limits.perSenderMax)
        }
        let bytes = transaction.encodedByteCount
        guard count < limits.transactionsMax, byteCount + bytes <= limits.bytesMax else {
            throw .full(transactionsMax: limits.transactionsMax, bytesMax: limits.bytesMax)
        }
        bySender[sender, default: [:]][nonce] = Entry(transaction: transaction, id: id, byteCount: bytes)
        ids.insert(id)
        count += 1
        byteCount += bytes
    }

    /// At most `max` transactions of at most `bytesMax` encoded bytes in all, in an order that executes:
    /// each sender's run of consecutive nonces from its lowest pooled nonce, senders interleaved by the
    /// fee of their next transaction (higher first; ties: lower key). The pool is not changed.
    public func reap(max: Int, bytesMax: Int = ChainLimits.blockBytesMax) -> [SignedTransaction] {
        var runs: [PublicKey: [Entry]] = [:]
        for (sender, queue) in bySender {
            var run: [Entry] = []
            guard var nonce = queue.keys.min() else { continue }
            while let entry = queue[nonce] {
                run.append(entry)
                if nonce == UInt64.max { break }
                nonce += 1
            }
            runs[sender] = run
        }
        var heap = ReapHeap()
        for (sender, run) in runs {
            heap.push(ReapHeap.Item(fee: run[0].transaction.transaction.fee, sender: sender, index: 0))
        }
        var result: [SignedTransaction] = []
        var bytes = 0
        while result.count < max, let item = heap.pop() {
            let run = runs[item.sender]!
            let entry = run[item.index]
            guard bytes + entry.byteCount <= bytesMax else { continue }
            result.append(entry.transaction)
            bytes += entry.byteCount
            if item.index + 1 < run.count {
                let next = run[item.index + 1]
                let fee = next.transaction.transaction.fee
                heap.push(ReapHeap.Item(fee: fee, sender: item.sender, index: item.index + 1))
            }
        }
        return result
    }

    /// Drops the transactions of `block`, and every pooled transaction of the block's senders whose
    /// nonce is below `nonceOf(sender)` (the account nonce after the block).
    public mutating func removeCommitted(_ block: Block, nonceOf: (PublicKey) -> UInt64) {
        for transaction in block.transactions { remove(id: transaction.id, sender: transaction.transaction.sender) }
        for sender in Set(block.transactions.map(\.transaction.sender)) {
            prune(sender: sender, accountNonce: nonceOf(sender))
        }
    }

    /// `sender`'s pooled transactions with nonces below `nonce`, in nonce order (what must execute first).
    public func pooled(sender: PublicKey, below nonce: UInt64) -> [SignedTransaction] {
        (bySender[sender] ?? [:]).filter { $0.key < nonce }.sorted { $0.key < $1.key }.map(\.value.transaction)
    }

    /// The nonce `sender`'s next transaction should carry: one past its consecutive pooled run from
    /// `accountNonce` (which is returned when nothing is pooled).
    public func nextNonce(sender: PublicKey, accountNonce: UInt64) -> UInt64 {
        guard let queue = bySender[sender] else { return accountNonce }
        var nonce = accountNonce
        while queue[nonce] != nil, nonce < UInt64.max { nonce += 1 }
        return nonce
    }

    /// Drops `sender`'s pooled transactions with a nonce at or above `nonce` (one of them no longer
    /// applies, so none after it can).
    public mutating func evict(sender: PublicKey, from nonce: UInt64) {
        guard let queue = bySender[sender] else { return }
        for (pooled, entry) in queue where pooled >= nonce { remove(id: entry.id, sender: sender) }
    }

    /// Senders with pooled transactions.
    public var senders: [PublicKey] { Array(bySender.keys) }

    /// Drops `sender`'s pooled transactions with a nonce below `accountNonce`.
    public mutating func prune(sender: PublicKey, accountNonce: UInt64) {
        guard let queue = bySender[sender] else { return }
        for (nonce, entry) in queue where nonce < accountNonce { remove(id: entry.id, sender: sender) }
    }

    private mutating func remove(id: Hash32, sender: PublicKey) {
        guard ids.contains(id), var queue = bySender[sender],
              let nonce = queue.first(where: { $0.value.id == id })?.key, let entry = queue[nonce]
        else { return }
        queue[nonce] = nil
        bySender[sender] = queue.isEmpty ? nil : queue
        ids.remove(id)
        count -= 1
        byteCount -= entry.byteCount
    }
}

/// A binary max-heap of reap candidates: higher fee first, then lower sender key.
struct ReapHeap {
    struct Item {
        var fee: UInt64
        var sender: PublicKey
        var index: Int

        func precedes(_ other: Item) -> Bool {
            fee != other.fee ? fee > other.fee : sender < other.sender
        }
    }

    private var items: [Item] = []

    mutating func push(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Item? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var best = parent
            if left < items.count, items[left].precedes(items[best]) { best = left }
            if right < items.count, items[right].precedes(items[best]) { best = right }
            if best == parent { break }
            items.swapAt(parent, best)
            parent = best
        }
        return top
    }
}
