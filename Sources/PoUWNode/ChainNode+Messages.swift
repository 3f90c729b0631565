/// Gossip on the chain topics, and block sync: what the node does with what its peers send.
import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import PoUWGossip
import PoUWUV
import PoUWWire

extension ChainNode {
    /// Gossip validation: forward only well-formed, correctly signed messages of a useful height.
    func validate(_ message: P2PMessage) -> ValidationResult {
        let head = head.height
        switch message.topic {
        case .votes:
            guard let vote = try? Wire.decode(Vote.self, from: message.data) else { return .reject }
            guard vote.height > head else { return .ignore }
            return isSigned(vote) ? .accept : .reject
        case .proposals:
            guard let message = try? Wire.decode(ProposalMessage.self, from: message.data) else { return .reject }
            guard message.proposal.height > head else { return .ignore }
            return isWellFormed(message) ? .accept : .reject
        case .transactions:
            guard let tx = try? Wire.decode(SignedTransaction.self, from: message.data),
                  tx.transaction.chainId == chainId,
                  (try? tx.verifySignature()) != nil
            else { return .reject }
            return .accept
        default:
            return .ignore
        }
    }

    func isSigned(_ vote: Vote) -> Bool {
        (try? Ed25519.verify(vote.signature, payload: vote.signingPayload, kind: .vote, chainId: chainId,
                             publicKey: vote.voter)) != nil
    }

    /// The proposal is signed by its proposer, names the block it carries, and the block names the
    /// same proposer (who collects its fees).
    func isWellFormed(_ message: ProposalMessage) -> Bool {
        let proposal = message.proposal
        return message.block.header.hash == proposal.blockHash && message.block.header.proposer == proposal.proposer
            && message.block.header.height == proposal.height
            && (try? Ed25519.verify(proposal.signature, payload: proposal.signingPayload, kind: .proposal,
                                    chainId: chainId, publicKey: proposal.proposer)) != nil
    }

    /// A validated gossip message from a peer.
    func deliver(_ message: P2PMessage) {
        switch message.topic {
        case .votes:
            guard let vote = try? Wire.decode(Vote.self, from: message.data) else { return }
            route(.vote(vote), height: vote.height, from: message.from)
        case .proposals:
            guard let decoded = try? Wire.decode(ProposalMessage.self, from: message.data) else { return }
            receive(decoded, from: message.from)
        case .transactions:
            guard let tx = try? Wire.decode(SignedTransaction.self, from: message.data) else { return }
            _ = admit(tx)
        default:
            return
        }
    }

    /// Sends `event` of `height` to the core, buffers it for the next height, or notices that we are behind.
    func route(_ event: ConsensusEvent, height: UInt64, from peer: PublicKey) {
        guard halted == nil else { return }
        let current = head.height + 1
        if height == current, core != nil {
            feed(event)
        } else if height == current || height == current + 1 {
            if nextHeightEvents.count < Self.nextHeightEventsMax { nextHeightEvents.append(event) }
        } else if height > current + 1 {
            startSync(from: peer)
        }
    }

    func receive(_ message: ProposalMessage, from peer: PublicKey) {
        let proposal = message.proposal
        let current = head.height + 1
        guard proposal.height >= current else { return }
        guard proposal.height == current else {
            if proposal.height == current + 1 {
                if nextHeightProposals.count < Self.nextHeightProposalsMax { nextHeightProposals.append(message) }
            } else {
                startSync(from: peer)
            }
            return
        }
        guard heightProposals[proposal.round] == nil || heightProposals[proposal.round] == message else { return }
        guard validators.proposer(height: proposal.height, round: proposal.round) == proposal.proposer else {
            log("height \(proposal.height) round \(proposal.round): proposal from \(proposal.proposer), "
                + "who is not this round's proposer; ignored")
            return
        }
        let valid = isValid(message.block)
        remember(message.block)
        heightProposals[proposal.round] = message
        if let pending = pendingCommit, pending.blockHash == proposal.blockHash {
            pendingCommit = nil
            finalize(message.block, pending)
            return
        }
        route(.proposal(proposal, valid: valid), height: proposal.height, from: peer)
    }

    /// valid(v): the block is not dated more than `blockTimeDriftMaxMilliseconds` ahead of our clock, its
    /// last commit is signed by the previous height's validators, and it applies to our state.
    func isValid(_ block: Block) -> Bool {
        let height = block.header.height
        let latest = clock.unixMilliseconds() + Self.blockTimeDriftMaxMilliseconds
        guard block.header.timeMilliseconds <= latest else {
            log("height \(height): proposed block \(block.header.hash) is dated \(block.header.timeMilliseconds), more "
                + "than \(Self.blockTimeDriftMaxMilliseconds) ms ahead of this node's clock; invalid")
            return false
        }
        if height > 1 {
            guard let lastCommit = block.lastCommit, verified(lastCommit, height: height - 1) else { return false }
        }
        do {
            try chain.validate(block)
            return true
        } catch {
            log("height \(height): proposed block \(block.header.hash) is invalid: \(error)")
            return false
        }
    }

    /// Whether `certificate` finalizes height `height` under that height's validators, every signature checked.
    func verified(_ certificate: CommitCertificate, height: UInt64) -> Bool {
        guard certificate.height == height, let set = try? validatorSet(forHeight: height),
              set.verifyCommit(certificate) == nil
        else { return false }
        return (try? certificate.verifySignatures(chainId: chainId)) != nil
    }

    // MARK: Transactions

    /// Adds a transaction to the mempool after the stateless and nonce checks.
    @discardableResult
    func admit(_ tx: SignedTransaction) -> String? {
        guard tx.transaction.chainId == chainId else { return "wrong chain id \(tx.transaction.chainId)" }
        do { try tx.verifySignature() } catch { return "\(error)" }
        let sender = tx.transaction.sender
        let nonce = (try? chain.account(sender).nonce) ?? 0
        guard !mempool.contains(tx.id) else { return nil }
        // Admission: the transaction must apply after the sender's pooled ones, on the current state.
        let ahead = mempool.pooled(sender: sender, below: tx.transaction.nonce)
        if tx.transaction.nonce >= nonce, UInt64(ahead.count) == tx.transaction.nonce - nonce {
            do {
                if let refusal = try chain.dryRunTransactions(ahead + [tx], proposer: publicKey).last ?? nil {
                    return "the transaction does not apply to the current state: \(refusal)"
                }
            } catch {
                return "cannot check the transaction: \(error)"
            }
        }
        do { try mempool.insert(tx, accountNonce: nonce) } catch { return "\(error)" }
        pooledNextNonces[sender] = mempool.nextNonce(sender: sender, accountNonce: nonce)
        publishSnapshot()
        return nil
    }

    /// After a block: drops pooled transactions that no longer apply (and each such sender's later ones).
    func recheckMempool() {
        guard mempool.count > 0 else { return }
        let candidates = mempool.reap(max: mempool.count, bytesMax: Int.max)
        guard let outcomes = try? chain.dryRunTransactions(candidates, proposer: publicKey) else { return }
        var evicted = Set<PublicKey>()
        for (tx, outcome) in zip(candidates, outcomes) where outcome != nil {
            let sender = tx.transaction.sender
            guard !evicted.contains(sender) else { continue }
            evicted.insert(sender)
            mempool.evict(sender: sender, from: tx.transaction.nonce)
            log("mempool: dropped \(tx.id) from \(sender) (nonce \(tx.transaction.nonce)) and its successors: "
                + "\(outcome!)")
        }
    }

    /// Signs and gossips a transaction from this node's own key.
    func sendOwn(_ body: TransactionBody) {
        let stateNonce = (try? chain.account(publicKey).nonce) ?? 0
        let nonce = mempool.nextNonce(sender: publicKey, accountNonce: stateNonce)
        let tx = SignedTransaction.sign(
            Transaction(chainId: chainId, sender: publicKey, nonce: nonce, fee: params.minimumFee, body: body),
            with: options.identity
        )
        if let error = admit(tx) {
            log("own transaction \(body) refused: \(error)")
            return
        }
        _ = p2p.publish(Wire.encode(tx), topic: .transactions)
    }

    // MARK: Requests

    func answer(_ body: [UInt8], from peer: PublicKey) -> [UInt8]? {
        guard let request = try? Wire.decode(ChainRequest.self, from: body) else { return nil }
        switch request {
        case .head:
            return Wire.encode(ChainResponse.head(height: head.height, hash: head.hash))
        case .blocks(let from, let count):
            var blocks: [CommittedBlock] = []
            var bytes = 0
            var height = max(from, 1)
            while blocks.count < Int(count), height <= head.height {
                guard let block = (try? chain.block(at: height)) ?? nil,
                      let commit = (try? chain.commit(at: height)) ?? nil
                else { break }
                let entry = CommittedBlock(block: block, commit: commit)
                bytes += Wire.encode(entry).count
                if bytes > ChainSyncLimits.answerBytesMax, !blocks.isEmpty { break }
                blocks.append(entry)
                height += 1
            }
            return Wire.encode(ChainResponse.blocks(blocks))
        case .sprintProofs(let epoch, let nonces):
            return Wire.encode(ChainResponse.sprintProofs(sprint.proofs(epoch: epoch, nonces: nonces)))
        case .consensus(let height):
            guard height == head.height + 1 else {
                return Wire.encode(ChainResponse.consensus(proposals: [], votes: []))
            }
            var proposals: [ProposalMessage] = []
            var bytes = 0
            for round in heightProposals.keys.sorted(by: >) {
                guard proposals.count < ChainSyncLimits.proposalsPerAnswerMax, let message = heightProposals[round]
                else { break }
                bytes += Wire.encode(message).count
                guard bytes <= ChainSyncLimits.answerBytesMax else { break }
                proposals.append(message)
            }
            let votes = Array(heightVotes.prefix(ChainSyncLimits.votesPerAnswerMax))
            return Wire.encode(ChainResponse.consensus(proposals: proposals, votes: votes))
        }
    }

    // MARK: Catch-up within a height

    /// Every second: when the core has sat at one (height, round, step) for `stallNanoseconds`, ask every
    /// peer for the height's proposals and votes (messages can be lost, or sent before a peer connected).
    func checkStall() {
        guard halted == nil, !isSyncing, let core else { return }
        let mark = (core.height, core.round, core.step.rawValue)
        let now = clock.monotonicNanoseconds()
        if mark != progressMark {
            progressMark = mark
            progressSince = now
            return
        }
        guard now - progressSince >= Self.stallNanoseconds else { return }
        progressSince = now
        for peer in p2p.connectedPeers { askConsensus(of: peer) }
    }

    /// Asks `peer` for what it holds of the height we are deciding, and feeds what checks out.
    func askConsensus(of peer: PublicKey) {
        guard let height = core?.height else { return }
        p2p.request(Wire.encode(ChainRequest.consensus(height: height)), to: peer) { [weak self] result in
            guard let self, case .success(let bytes) = result,
                  case .consensus(let proposals, let votes)? = try? Wire.decode(ChainResponse.self, from: bytes)
            else { return }
            for message in proposals where message.proposal.height == height && isWellFormed(message) {
                receive(message, from: peer)
            }
            for vote in votes where vote.height == height && !heightVotes.contains(vote) && isSigned(vote) {
                route(.vote(vote), height: vote.height, from: peer)
            }
        }
    }

    // MARK: Sync

    /// Every few seconds: ask a peer for its head, and catch up when it is ahead of us.
    func pollPeers() {
        guard halted == nil, !isSyncing, let peer = p2p.connectedPeers.randomElement() else { return }
        p2p.request(Wire.encode(ChainRequest.head), to: peer) { [weak self] result in
            guard let self, case .success(let bytes) = result,
                  case .head(let height, _)? = try? Wire.decode(ChainResponse.self, from: bytes)
            else { return }
            if height > head.height { startSync(from: peer) }
        }
    }

    func requestBlocksFromAnyPeer() {
        guard let peer = p2p.connectedPeers.randomElement() else { return }
        startSync(from: peer)
    }

    /// Fetches final blocks from `peer` from our head on, verifying each certificate before applying it.
    func startSync(from peer: PublicKey) {
        guard halted == nil, !isSyncing else { return }
        isSyncing = true
        let from = head.height + 1
        let request = ChainRequest.blocks(from: from, count: UInt32(ChainSyncLimits.blocksPerRequestMax))
        p2p.request(Wire.encode(request), to: peer) { [weak self] result in
            guard let self else { return }
            isSyncing = false
            guard case .success(let bytes) = result,
                  case .blocks(let blocks)? = try? Wire.decode(ChainResponse.self, from: bytes)
            else { return }
            var applied = 0
            for entry in blocks where entry.block.header.height > head.height {
                let height = head.height + 1
                guard entry.block.header.height == height, entry.commit.blockHash == entry.block.header.hash,
                      verified(entry.commit, height: height)
                else {
                    log("sync: peer \(peer) sent block \(entry.block.header.height) without a valid commit; ignored")
                    break
                }
                core = nil
                finalize(entry.block, entry.commit, synced: true)
                guard halted == nil else { return }
                applied += 1
            }
            if applied > 0 {
                log("sync: applied \(applied) blocks from \(peer), head \(head.height)")
                if blocks.count == ChainSyncLimits.blocksPerRequestMax { startSync(from: peer) }
            }
        }
    }
}
