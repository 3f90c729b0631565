public import PoUWConsensus
public import PoUWCore
public import PoUWStorage
import PoUWWire

/// One simulated validator node: a `ConsensusCore` for the current height and a minimal driver around
/// it (signature checks, a block cache, timers on the node's tick, a durable `MemoryStore` for the WAL,
/// the committed chain and the blocks it built, and catch-up by certificates). A crash drops everything
/// but the store; a restart rebuilds the height from the WAL with `ConsensusCore.restore`.
public struct ConsensusSimNode: SimulatedNode {
    /// A block this node committed, and when.
    public struct Commit: Sendable, Equatable {
        public let height: UInt64
        public let round: UInt32
        public let blockHash: Hash32
        public let atNanoseconds: Nanoseconds
    }

    /// A proposal this node broadcast for the first time, and when.
    public struct ProposalSent: Sendable, Equatable {
        public let height: UInt64
        public let round: UInt32
        public let blockHash: Hash32
        public let atNanoseconds: Nanoseconds
    }

    static let walTable = Table<[UInt8], [UInt8]>("consensus.wal")
    static let committedTable = Table<UInt64, [UInt8]>("consensus.committed")
    static let builtTable = Table<Hash32, [UInt8]>("consensus.built")
    /// Messages for the next height kept until this node gets there.
    static let bufferedMessagesMax = 1024

    public let index: Int
    public let nodeKey: PublicKey
    public let validatorKey: PublicKey
    public let validators: ValidatorSet
    public let timeouts: ConsensusTimeouts
    public let resendIntervalNanoseconds: Nanoseconds
    /// The durable state; it survives `crash()`.
    public let store: MemoryStore

    public private(set) var isCrashed = true
    public private(set) var commits: [Commit] = []
    public private(set) var proposalsSent: [ProposalSent] = []
    /// Inconsistencies the driver saw in its own store (a second, different block for a committed height).
    public private(set) var violations: [String] = []
    /// Equivocations recorded by the cores of finished heights (at most `equivocationsKeptMax`).
    public private(set) var finishedEquivocations: [Equivocation] = []
    /// How many times the node booted; it changes the attestation, so that a restored core that signed
    /// anew instead of reusing its logged votes would equivocate (and be caught).
    public private(set) var bootCount: UInt64 = 0
    static let equivocationsKeptMax = 1024

    /// Every equivocation this node's cores recorded, the current height's included.
    public var equivocations: [Equivocation] { finishedEquivocations + (core?.equivocations ?? []) }

    var core: ConsensusCore?
    var peers: [PublicKey] = []
    var timers: [(deadline: Nanoseconds, event: TimeoutEvent)] = []
    var blocks: [Hash32: SimBlock] = [:]
    var buffered: [(message: ConsensusSimMessage, peer: PublicKey)] = []
    var pendingCommit: CommitCertificate?
    var nextResend: Nanoseconds = 0
    var walSequence: UInt64 = 0
    var crashArmed = false

    public init(
        index: Int, nodeKey: PublicKey, validatorKey: PublicKey, validators: ValidatorSet, timeouts: ConsensusTimeouts,
        resendIntervalNanoseconds: Nanoseconds
    ) {
        self.index = index
        self.nodeKey = nodeKey
        self.validatorKey = validatorKey
        self.validators = validators
        self.timeouts = timeouts
        self.resendIntervalNanoseconds = resendIntervalNanoseconds
        store = MemoryStore(tables: [ConsensusSimNode.walTable, ConsensusSimNode.committedTable,
                                     ConsensusSimNode.builtTable])
    }

    /// The height this node works on (one above its last committed block; 1 on an empty chain).
    public var height: UInt64 { core?.height ?? lastCommittedHeight + 1 }

    /// The highest height in the durable chain (0 when empty).
    public var lastCommittedHeight: UInt64 {
        (try? store.read { tx in try tx.scan(ConsensusSimNode.committedTable, direction: .backward, limit: 1) })?
            .first?.key ?? 0
    }

    /// The durable chain: height → (certificate, block).
    public func committedChain() -> [(height: UInt64, certificate: CommitCertificate, block: SimBlock)] {
        let rows = (try? store.read { tx in try tx.scan(ConsensusSimNode.committedTable, limit: Int.max) }) ?? []
        return rows.compactMap { row in
            guard case let .commit(certificate, block)? = try? Wire.decode(ConsensusSimMessage.self, from: row.value)
            else { return nil }
            return (row.key, certificate, block)
        }
    }

    /// The blocks this node built (durable).
    public func builtBlocks() -> [SimBlock] {
        let rows = (try? store.read { tx in try tx.scan(ConsensusSimNode.builtTable, limit: Int.max) }) ?? []
        return rows.compactMap { try? Wire.decode(SimBlock.self, from: $0.value) }
    }

    /// One line of the node's consensus state, for failure reports.
    public var stateDescription: String {
        guard let core else { return "node \(index): down, committed \(lastCommittedHeight)" }
        let short = { (hash: Hash32?) in hash.map { String($0.description.prefix(8)) } ?? "nil" }
        return "node \(index): h=\(core.height) r=\(core.round) \(core.step) locked=\(short(core.lockedValue))@"
            + "\(core.lockedRound) valid=\(short(core.validValue))@\(core.validRound) "
            + "pending=\(pendingCommit != nil) timers=\(timers.count) buffered=\(buffered.count)"
    }

    // MARK: Life cycle

    /// Starts (or restarts) the node from its store: the next height's core, restored from its WAL.
    public mutating func boot(now: Nanoseconds) -> [NetworkCommand] {
        isCrashed = false
        bootCount += 1
        let next = lastCommittedHeight + 1
        let records = walRecords(height: next)
        walSequence = UInt64(records.count)
        for block in builtBlocks() where block.height >= next { blocks[block.hash] = block }
        let signer = SimSigner(publicKey: validatorKey)
        let actions: [ConsensusAction]
        if records.isEmpty {
            var fresh = ConsensusCore(signer: signer, height: next, validators: validators, timeouts: timeouts)
            fresh.attestation = attestation(height: next)
            actions = fresh.start()
            core = fresh
        } else {
            let (restored, resume) = ConsensusCore.restore(
                signer: signer, height: next, validators: validators, timeouts: timeouts, records: records)
            core = restored
            actions = resume
        }
        let work = attestation(height: next)
        core?.attestation = work
        nextResend = now + resendIntervalNanoseconds
        return perform(actions, now: now)
    }

    /// Arms a crash at this node's next WAL write: the write completes, then the node dies before the
    /// rest of the batch (the broadcasts after it never leave). Tests the write-ahead rule.
    public mutating func crashAtNextWALWrite() {
        if !isCrashed { crashArmed = true }
    }

    /// Restarts the node, crashing it first if it is still up (an armed crash that never fired).
    public mutating func restart(now: Nanoseconds) -> [NetworkCommand] {
        if !isCrashed { crash() }
        return boot(now: now)
    }

    /// Loses every in-memory state and pending timer; the store stays.
    public mutating func crash() {
        isCrashed = true
        crashArmed = false
        core = nil
        timers = []
        blocks = [:]
        buffered = []
        pendingCommit = nil
    }

    // MARK: SimulatedNode

    public mutating func linkUp(_ peer: PublicKey, outbound: Bool, now: Nanoseconds) -> [NetworkCommand] {
        if !peers.contains(peer) { peers.append(peer) }
        return []
    }

    public mutating func linkDown(_ peer: PublicKey, now: Nanoseconds) -> [NetworkCommand] {
        peers.removeAll { $0 == peer }
        return []
    }

    public mutating func tick(now: Nanoseconds) -> [NetworkCommand] {
        guard !isCrashed, core != nil else { return [] }
        var commands: [NetworkCommand] = []
        while let first = timers.indices.min(by: { timers[$0].deadline < timers[$1].deadline }),
              timers[first].deadline <= now
        {
            let timer = timers.remove(at: first)
            guard var current = core, timer.event.height == current.height else { continue }
            let actions = current.handle(.timeout(timer.event))
            core = current
            commands += perform(actions, now: now)
        }
        if now >= nextResend {
            nextResend = now + resendIntervalNanoseconds
            commands += resend()
        }
        return commands
    }

    public mutating func receive(_ bytes: [UInt8], from peer: PublicKey, now: Nanoseconds) -> [NetworkCommand] {
        guard !isCrashed, let message = try? Wire.decode(ConsensusSimMessage.self, from: bytes) else { return [] }
        return handle(message, from: peer, now: now)
    }

    // MARK: Messages

    mutating func handle(_ message: ConsensusSimMessage, from peer: PublicKey, now: Nanoseconds) -> [NetworkCommand] {
        let current = height
        switch message {
        case let .proposal(proposal, block):
            guard SimSigner.verify(proposal), block.hash == proposal.blockHash else { return [] }
            if proposal.height < current { return commitFor(height: proposal.height, to: peer) }
            if proposal.height > current { return bufferMessage(message, from: peer, height: proposal.height) }
            blocks[block.hash] = block
            let valid = block.height == proposal.height && validators.contains(block.proposer)
            return feed(.proposal(proposal, valid: valid), now: now) + finishPendingCommit(now: now)
        case .vote(let vote):
            guard SimSigner.verify(vote) else { return [] }
            if vote.height < current { return commitFor(height: vote.height, to: peer) }
            if vote.height > current { return bufferMessage(message, from: peer, height: vote.height) }
            return feed(.vote(vote), now: now)
        case .status(let peerHeight):
            return peerHeight < current ? commitFor(height: peerHeight, to: peer) : []
        case let .commit(certificate, block):
            guard certificate.height == current, core?.decision == nil || pendingCommit != nil,
                  validators.verifyCommit(certificate) == nil, certificate.precommits.allSatisfy(SimSigner.verify),
                  block.hash == certificate.blockHash, block.height == certificate.height
            else { return [] }
            blocks[block.hash] = block
            let commands = finalize(certificate, block: block, now: now)
            return isCrashed ? commands : commands + [send(.status(height: height), to: peer)]
        case .blockRequest(let hash):
            guard let block = blocks[hash] else { return [] }
            return [send(.block(block), to: peer)]
        case .block(let block):
            guard let pending = pendingCommit, block.hash == pending.blockHash else { return [] }
            blocks[block.hash] = block
            return finishPendingCommit(now: now)
        }
    }

    mutating func feed(_ event: ConsensusEvent, now: Nanoseconds) -> [NetworkCommand] {
        guard var current = core else { return [] }
        let actions = current.handle(event)
        core = current
        return perform(actions, now: now)
    }

    mutating func bufferMessage(
        _ message: ConsensusSimMessage, from peer: PublicKey, height messageHeight: UInt64
    ) -> [NetworkCommand] {
        if messageHeight == height + 1 && buffered.count < ConsensusSimNode.bufferedMessagesMax {
            buffered.append((message, peer))
        }
        return []
    }

    /// The certificate and block of a committed `height` for a peer that is behind.
    func commitFor(height wanted: UInt64, to peer: PublicKey) -> [NetworkCommand] {
        guard let bytes = try? store.read({ tx in try tx.get(ConsensusSimNode.committedTable, wanted) }) else {
            return []
        }
        return [.send(to: peer, bytes: bytes)]
    }

    /// Re-sends this height's own signed messages and the node's status (lost frames are not retried).
    func resend() -> [NetworkCommand] {
        guard let core else { return [] }
        var messages: [ConsensusSimMessage] = [.status(height: core.height)]
        let (proposals, votes) = core.messagesToResend
        for proposal in proposals {
            if let block = blocks[proposal.blockHash] { messages.append(.proposal(proposal, block)) }
        }
        messages += votes.map { .vote($0) }
        if let pendingCommit { messages.append(.blockRequest(pendingCommit.blockHash)) }
        return messages.flatMap { broadcast($0) }
    }

    func send(_ message: ConsensusSimMessage, to peer: PublicKey) -> NetworkCommand {
        .send(to: peer, bytes: Wire.encode(message))
    }

    func broadcast(_ message: ConsensusSimMessage) -> [NetworkCommand] {
        let bytes = Wire.encode(message)
        return peers.map { .send(to: $0, bytes: bytes) }
    }

    // MARK: Actions

    /// Performs the core's actions in order; persists are written before anything after them.
    mutating func perform(_ initial: [ConsensusAction], now: Nanoseconds) -> [NetworkCommand] {
        var queue = initial[...]
        var commands: [NetworkCommand] = []
        while let action = queue.popFirst() {
            switch action {
            case .persist(let record):
                appendWAL(record)
                if crashArmed {
                    crash()
                    return commands
                }
            case .broadcastProposal(let proposal):
                guard let block = blocks[proposal.blockHash] else { continue }
                if !proposalsSent.contains(where: { $0.height == proposal.height && $0.round == proposal.round }) {
                    proposalsSent.append(ProposalSent(
                        height: proposal.height, round: proposal.round, blockHash: proposal.blockHash,
                        atNanoseconds: now))
                }
                commands += broadcast(.proposal(proposal, block))
            case .broadcastVote(let vote):
                commands += broadcast(.vote(vote))
            case let .scheduleTimeout(event, after):
                timers.append((now + after, event))
            case let .buildProposal(buildHeight, round):
                let block = SimBlock(height: buildHeight, round: round, proposer: validatorKey, builder: UInt64(index))
                try! store.write { tx in try tx.put(ConsensusSimNode.builtTable, block.hash, Wire.encode(block)) }
                blocks[block.hash] = block
                guard var current = core else { continue }
                let answer = current.handle(.proposalValue(height: buildHeight, round: round, blockHash: block.hash))
                core = current
                queue = (answer + queue)[...]
            case .commit(let certificate):
                if let block = blocks[certificate.blockHash] {
                    commands += finalize(certificate, block: block, now: now)
                    queue = []
                } else {
                    pendingCommit = certificate
                    commands += broadcast(.blockRequest(certificate.blockHash))
                }
            }
        }
        return commands
    }

    mutating func finishPendingCommit(now: Nanoseconds) -> [NetworkCommand] {
        guard let pending = pendingCommit, let block = blocks[pending.blockHash] else { return [] }
        return finalize(pending, block: block, now: now)
    }

    /// Makes the block durable as committed (dropping the WAL of its height) and starts the next height.
    mutating func finalize(_ certificate: CommitCertificate, block: SimBlock, now: Nanoseconds) -> [NetworkCommand] {
        let entry = Wire.encode(ConsensusSimMessage.commit(certificate, block))
        let conflict: Hash32? = try! store.write { tx in
            if let existing = try tx.get(ConsensusSimNode.committedTable, certificate.height),
               case let .commit(earlier, _)? = try? Wire.decode(ConsensusSimMessage.self, from: existing)
            {
                return earlier.blockHash == certificate.blockHash ? nil : earlier.blockHash
            }
            try tx.put(ConsensusSimNode.committedTable, certificate.height, entry)
            for row in try tx.scan(ConsensusSimNode.walTable, limit: Int.max) {
                if UInt64(storageBytes: Array(row.key.prefix(8)))! <= certificate.height {
                    try tx.delete(ConsensusSimNode.walTable, row.key)
                }
            }
            return nil
        }
        if let conflict {
            violations.append("node \(index) committed \(certificate.blockHash) at height \(certificate.height) "
                + "over \(conflict)")
            return []
        }
        commits.append(Commit(height: certificate.height, round: certificate.round, blockHash: certificate.blockHash,
                              atNanoseconds: now))
        let recorded = core?.equivocations ?? []
        finishedEquivocations += recorded.prefix(ConsensusSimNode.equivocationsKeptMax - finishedEquivocations.count)
        pendingCommit = nil
        timers = []
        walSequence = 0
        blocks = blocks.filter { $0.value.height > certificate.height }
        var next = ConsensusCore(signer: SimSigner(publicKey: validatorKey), height: certificate.height + 1,
                                 validators: validators, timeouts: timeouts)
        next.attestation = attestation(height: next.height)
        let actions = next.start()
        core = next
        var commands = perform(actions, now: now)
        let replay = buffered
        buffered = []
        for (message, peer) in replay { commands += handle(message, from: peer, now: now) }
        return commands
    }

    /// The batch commitment this node's precommits carry: a stand-in that differs per boot and height.
    func attestation(height: UInt64) -> BatchCommitment {
        let seed = height.storageBytes + bootCount.storageBytes + UInt64(index).storageBytes
        let root = SimHash.digest(seed, domain: 4)
        return BatchCommitment(root: root, receiptCount: bootCount, promptTokens: height, completionTokens: 0)
    }

    // MARK: WAL

    mutating func appendWAL(_ record: WALRecord) {
        let key = record.height.storageBytes + walSequence.storageBytes
        walSequence += 1
        try! store.write { tx in try tx.put(ConsensusSimNode.walTable, key, Wire.encode(record)) }
    }

    func walRecords(height wanted: UInt64) -> [WALRecord] {
        let rows = (try? store.read { tx in
            try tx.scan(ConsensusSimNode.walTable, from: wanted.storageBytes, limit: Int.max)
        }) ?? []
        return rows.prefix { Array($0.key.prefix(8)) == wanted.storageBytes }
            .compactMap { try? Wire.decode(WALRecord.self, from: $0.value) }
    }
}
