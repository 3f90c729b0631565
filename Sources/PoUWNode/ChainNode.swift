/// The chain node driver: it owns the event loop, the P2P node, the chain state on LMDB, the consensus
/// write-ahead log, the mempool and the HTTP API, and performs what the pure consensus core asks for.
/// Everything but the Sprint computation and the API's threads runs on the loop thread.
import Foundation
import PoUWAPI
import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import PoUWStorage
public import PoUWUV
import PoUWGossip
import PoUWWire
import PoUWWork

public final class ChainNode: @unchecked Sendable {
    public let options: ChainNodeOptions
    public let loop: EventLoop
    let p2p: P2PNode
    let chainStore: LMDBStore
    let walStore: LMDBStore
    let wal: ConsensusLog
    let chain: ChainState
    /// The last applied block (cached; refreshed after every apply).
    var head: ChainHead
    var mempool: Mempool
    let signer: NodeSigner
    let clock = SystemClock()
    var api: APIServer?

    /// The core deciding `core.height` (= head + 1); nil while syncing or halted.
    var core: ConsensusCore?
    var validators: ValidatorSet
    /// Events waiting for the core (own messages fed back, buffered next-height messages).
    var pendingEvents: [ConsensusEvent] = []
    var isHandling = false
    /// Blocks proposed at the current height, by hash.
    var proposedBlocks: [Hash32: Block] = [:]
    /// Messages for the next height, replayed when it starts (bounded).
    var nextHeightEvents: [ConsensusEvent] = []
    /// Proposals (with blocks) and votes seen at the current height, for peers that missed them.
    var heightProposals: [UInt32: ProposalMessage] = [:]
    var heightVotes: Set<Vote> = []
    /// Proposals for the height after the current one: validated once that height starts.
    var nextHeightProposals: [ProposalMessage] = []
    /// (height, round, step) at the last stall check, and since when it has not changed.
    var progressMark: (UInt64, UInt32, UInt8) = (0, 0, 0)
    var progressSince: Nanoseconds = 0
    var stallTimer: TimerID?
    /// A decision whose block has not arrived yet.
    var pendingCommit: CommitCertificate?
    var timers: [TimeoutEvent: TimerID] = [:]
    var nextHeightTimer: TimerID?
    var heightStartedAt: Nanoseconds = 0
    var finalityMilliseconds: [Double] = []
    var isSyncing = false
    var syncTimer: TimerID?
    var halted: String?
    let sprint = SprintService()
    /// Each pooled sender's next nonce, refreshed when the mempool changes (for `/accounts`).
    var pooledNextNonces: [PublicKey: UInt64] = [:]
    let snapshot = StatusSnapshot()

    static let nextHeightEventsMax = 4_096
    static let nextHeightProposalsMax = 16
    /// How far ahead of this node's clock a proposed block's timestamp may be (valid(v) refuses more).
    static let blockTimeDriftMaxMilliseconds: UInt64 = 10_000
    static let stallCheckNanoseconds: UInt64 = 1_000_000_000
    /// How long the core may sit at one (height, round, step) before the node asks its peers for the
    /// height's proposals and votes.
    static let stallNanoseconds: UInt64 = 2_000_000_000
    static let proposedBlocksMax = 64
    static let finalityWindow = 256
    static let syncPollNanoseconds: UInt64 = 2_000_000_000

    var params: ChainParameters { options.genesis.parameters }
    var chainId: String { options.genesis.chainId }
    var publicKey: PublicKey { options.identity.publicKey }

    public init(options: ChainNodeOptions, loop: EventLoop) throws(ChainNodeError) {
        self.options = options
        self.loop = loop
        let fm = FileManager.default
        for dir in [options.dataPath, options.dataPath + "/chain", options.dataPath + "/consensus"] {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw .storage("cannot create \(dir): \(error.localizedDescription)")
            }
        }
        do {
            chainStore = try LMDBStore(directory: options.dataPath + "/chain", tables: ChainState.tables)
            walStore = try LMDBStore(directory: options.dataPath + "/consensus", tables: ConsensusLog.tables)
        } catch {
            throw .storage("\(error)")
        }
        wal = ConsensusLog(store: walStore)
        sprint.directory = options.dataPath
        do {
            chain = try ChainState.open(store: chainStore, genesis: options.genesis)
            head = try chain.head()
        } catch {
            throw .chain("\(error)")
        }
        if options.verifyOnStart {
            do {
                let report = try chain.verify()
                options.log("verified: \(report.blocks) blocks replayed from genesis, every state commitment matches")
            } catch {
                throw .halted("the stored chain does not verify: \(error). Restore the data directory from a good "
                              + "copy, or delete it to resync from peers.")
            }
        }
        mempool = Mempool()
        signer = NodeSigner(identity: options.identity, chainId: options.genesis.chainId)
        p2p = P2PNode(identity: options.identity, config: options.p2p, loop: loop)
        validators = ValidatorSet([Validator(key: options.identity.publicKey, weight: 1)])
        validators = try validatorSet(forHeight: head.height + 1)
    }

    /// Starts P2P, the API and consensus. Call on the loop thread.
    public func start() throws(ChainNodeError) {
        p2p.validator = { [unowned self] message in validate(message) }
        p2p.onDeliver = { [unowned self] message in deliver(message) }
        p2p.requestHandler = { [unowned self] peer, body in answer(body, from: peer) }
        p2p.onPeer = { [unowned self] peer, connected in
            // A new peer may hold messages of this height sent before it connected.
            if connected { askConsensus(of: peer) }
        }
        do { try p2p.start() } catch { throw .p2p("\(error)") }
        if let listen = options.apiListen {
            let (host, port) = Self.splitHostPort(listen)
            let server = APIServer(backend: NodeBackend(node: self), inference: options.inference, host: host,
                                   port: port)
            do { _ = try server.start() } catch { throw .api("cannot listen on \(listen): \(error)") }
            api = server
        }
        log("started: chain \(chainId), key \(publicKey), head \(head.height), "
            + "p2p \(options.p2p.listen), api \(options.apiListen ?? "off")")
        let poll = Self.syncPollNanoseconds
        syncTimer = loop.schedule(after: poll, repeating: poll) { [unowned self] in pollPeers() }
        let check = Self.stallCheckNanoseconds
        stallTimer = loop.schedule(after: check, repeating: check) { [unowned self] in checkStall() }
        startHeight()
        maybeStartSprint()
        publishSnapshot()
    }

    /// Stops everything; committed data is already durable.
    public func shutdown() {
        for (_, timer) in timers { loop.cancel(timer) }
        timers.removeAll()
        if let syncTimer { loop.cancel(syncTimer) }
        if let stallTimer { loop.cancel(stallTimer) }
        if let nextHeightTimer { loop.cancel(nextHeightTimer) }
        api?.stop()
        p2p.shutdown()
        sprint.cancel()
    }

    func log(_ line: String) { options.log(line) }

    static func splitHostPort(_ text: String) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else {
            return (text, 0)
        }
        return (String(text[..<colon]), port)
    }

    func validatorSet(forHeight height: UInt64) throws(ChainNodeError) -> ValidatorSet {
        let epoch = params.epoch(ofHeight: max(height, 1))
        let weights: [(key: PublicKey, weight: UInt64)]
        do { weights = try chain.validators(epoch: epoch) } catch { throw .chain("\(error)") }
        guard !weights.isEmpty else { throw .chain("epoch \(epoch) has no validators") }
        return ValidatorSet(weights.map { Validator(key: $0.key, weight: $0.weight) })
    }

    // MARK: Heights

    /// Starts deciding head + 1, restoring from the write-ahead log when it holds that height.
    func startHeight() {
        guard halted == nil else { return }
        let height = head.height + 1
        do {
            validators = try validatorSet(forHeight: height)
            let records = try wal.records(height: height)
            proposedBlocks.removeAll()
            pendingEvents.removeAll()
            heightProposals.removeAll()
            heightVotes.removeAll()
            pendingCommit = nil
            heightStartedAt = clock.monotonicNanoseconds()
            let (restored, actions) = ConsensusCore.restore(
                signer: signer, height: height, validators: validators, timeouts: options.timeouts, records: records
            )
            core = restored
            if !records.isEmpty { log("height \(height): resumed from \(records.count) write-ahead records") }
            perform(actions, height: height)
            let buffered = nextHeightEvents
            nextHeightEvents = buffered.filter { Self.height(of: $0) > height }
            pendingEvents += buffered.filter { Self.height(of: $0) == height }
            drainPending()
            let early = nextHeightProposals
            nextHeightProposals.removeAll()
            for message in early { receive(message, from: publicKey) }
        } catch {
            halt("cannot start height \(height): \(error)")
        }
    }

    /// The height a peer's consensus message is about.
    static func height(of event: ConsensusEvent) -> UInt64 {
        switch event {
        case .proposal(let proposal, _): proposal.height
        case .vote(let vote): vote.height
        case .timeout(let timeout): timeout.height
        case .proposalValue(let height, _, _): height
        }
    }

    /// Why the node halted, if it did.
    public var haltReason: String? { halted }

    /// Stops deciding and stops the node: its state is not the network's, or it cannot persist.
    func halt(_ reason: String) {
        halted = reason
        core = nil
        log("HALTED: \(reason)")
        publishSnapshot()
        shutdown()
        loop.requestStop()
    }

    // MARK: The core

    /// Hands `event` to the core and performs what it asks, feeding our own messages back.
    func feed(_ event: ConsensusEvent) {
        pendingEvents.append(event)
        drainPending()
    }

    /// Hands every pending event to the core, in order, including those its own actions add.
    func drainPending() {
        guard !isHandling else { return }
        isHandling = true
        defer { isHandling = false }
        while !pendingEvents.isEmpty {
            let next = pendingEvents.removeFirst()
            guard var current = core else { return }
            if case .vote(let vote) = next, vote.height == current.height,
               heightVotes.count < ChainSyncLimits.votesPerAnswerMax {
                heightVotes.insert(vote)
            }
            let height = current.height
            let actions = current.handle(next)
            core = current
            perform(actions, height: height)
        }
        publishSnapshot()
    }

    /// Persists the batch's records first (write-ahead), then does the rest in order.
    func perform(_ actions: [ConsensusAction], height: UInt64) {
        var records: [WALRecord] = []
        for case .persist(let record) in actions { records.append(record) }
        do { try wal.append(records, height: height) } catch {
            halt("\(error)")
            return
        }
        for action in actions {
            switch action {
            case .persist:
                break
            case .broadcastProposal(let proposal):
                guard let block = proposedBlocks[proposal.blockHash] else {
                    log("height \(height): own proposal's block is missing; not sent")
                    continue
                }
                let message = ProposalMessage(proposal: proposal, block: block)
                heightProposals[proposal.round] = message
                _ = p2p.publish(Wire.encode(message), topic: .proposals)
                pendingEvents.append(.proposal(proposal, valid: true))
            case .broadcastVote(let vote):
                _ = p2p.publish(Wire.encode(vote), topic: .votes)
                pendingEvents.append(.vote(vote))
            case .scheduleTimeout(let timeout, let after):
                if let old = timers[timeout] { loop.cancel(old) }
                timers[timeout] = loop.schedule(after: after) { [unowned self] in
                    timers[timeout] = nil
                    guard core?.height == timeout.height else { return }
                    feed(.timeout(timeout))
                }
            case .buildProposal(let h, let round):
                buildProposal(height: h, round: round)
            case .commit(let certificate):
                decided(certificate)
            }
        }
    }

    func buildProposal(height: UInt64, round: UInt32) {
        let now = max(clock.unixMilliseconds(), head.timeMilliseconds + 1)
        let lastCommit: CommitCertificate?
        do { lastCommit = height > 1 ? try chain.commit(at: height - 1) : nil } catch {
            halt("cannot read the last commit: \(error)")
            return
        }
        let candidates = mempool.reap(max: Int(params.transactionsPerBlockMax))
        let block: Block
        do {
            block = try chain.proposeBlock(height: height, time: now, proposer: publicKey, candidates: candidates,
                                           lastCommit: lastCommit)
        } catch {
            log("height \(height) round \(round): cannot build a block: \(error)")
            return
        }
        remember(block)
        pendingEvents.append(.proposalValue(height: height, round: round, blockHash: block.header.hash))
    }

    func remember(_ block: Block) {
        guard proposedBlocks.count < Self.proposedBlocksMax else { return }
        proposedBlocks[block.header.hash] = block
    }

    /// The core decided: apply the block (fetching it first if we never saw it) and move on.
    func decided(_ certificate: CommitCertificate) {
        guard let block = proposedBlocks[certificate.blockHash] else {
            pendingCommit = certificate
            log("height \(certificate.height): decided a block we have not seen; fetching it")
            requestBlocksFromAnyPeer()
            return
        }
        finalize(block, certificate)
    }

    func finalize(_ block: Block, _ certificate: CommitCertificate, synced: Bool = false) {
        let height = block.header.height
        do {
            try chain.apply(block, commit: certificate)
            head = try chain.head()
        } catch {
            if case .stateCommitmentMismatch = error {
                halt("block \(height): \(error) — this node's state differs from the network's; "
                     + "it stops instead of forking. Restore the data directory from a good copy or resync.")
            } else {
                halt("block \(height) was decided but does not apply: \(error)")
            }
            return
        }
        core = nil
        for (_, timer) in timers { loop.cancel(timer) }
        timers.removeAll()
        try? wal.prune(below: height + 1)
        // Every sender below its new account nonce (the block's transactions included) leaves the pool, then
        // what no longer applies on the new head is evicted.
        for sender in mempool.senders {
            mempool.prune(sender: sender, accountNonce: (try? chain.account(sender).nonce) ?? 0)
        }
        recheckMempool()
        refreshPooledNextNonces()
        let elapsed = clock.monotonicNanoseconds() &- heightStartedAt
        // Finality latency: from the proposer's block time to final here (one machine's clocks on a local
        // testnet; across machines it includes clock skew).
        let now = clock.unixMilliseconds()
        if !synced, now >= block.header.timeMilliseconds {
            recordFinality(Double(now - block.header.timeMilliseconds))
        }
        log("committed height \(height) hash \(block.header.hash) round \(certificate.round) "
            + "txs \(block.transactions.count) epoch \(block.header.epoch) in \(elapsed / 1_000_000) ms")
        afterCommit(height: height)
        // Pacing: the next height starts one interval after this block's timestamp, so every node (whose
        // clock agrees) starts it at about the same moment and the proposer's block time sets the beat.
        let nextStart = block.header.timeMilliseconds + params.blockIntervalMilliseconds
        let wait = nextStart > now ? min(nextStart - now, params.blockIntervalMilliseconds) * 1_000_000 : 0
        if let nextHeightTimer { loop.cancel(nextHeightTimer) }
        nextHeightTimer = loop.schedule(after: max(wait, 1)) { [unowned self] in
            nextHeightTimer = nil
            if core == nil && !isSyncing { startHeight() }
        }
        publishSnapshot()
    }

    func recordFinality(_ milliseconds: Double) {
        finalityMilliseconds.append(milliseconds)
        if finalityMilliseconds.count > Self.finalityWindow { finalityMilliseconds.removeFirst() }
    }

    /// Work that follows a commit: the Sprint schedule.
    func afterCommit(height: UInt64) {
        maybeStartSprint()
        maybeVerifySprint(height: height)
    }
}

/// Signs this node's proposals and votes with its key for its chain.
struct NodeSigner: ConsensusSigner {
    let identity: KeyPair
    let chainId: String

    var publicKey: PublicKey { identity.publicKey }

    func sign(_ proposal: Proposal) -> Signature {
        identity.sign(payload: proposal.signingPayload, kind: .proposal, chainId: chainId)
    }

    func sign(_ vote: Vote) -> Signature {
        identity.sign(payload: vote.signingPayload, kind: .vote, chainId: chainId)
    }
}
