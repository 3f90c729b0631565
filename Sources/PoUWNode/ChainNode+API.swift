/// The node's side of the HTTP API: a status snapshot the loop thread refreshes after every event, and
/// reads of the chain state (LMDB read transactions, safe from any thread). Transactions submitted
/// over HTTP are checked on the API thread and admitted on the loop thread.
import Foundation
import PoUWAPI
import PoUWChain
import PoUWConsensus
import PoUWCore
import PoUWCrypto
import PoUWGossip
import PoUWUV
import PoUWWire

/// The latest `StatusView`, written on the loop thread and read by API threads.
final class StatusSnapshot: @unchecked Sendable {
    private let lock = NSLock()
    private var view: StatusView?
    private var nextNonces: [PublicKey: UInt64] = [:]

    func set(_ status: StatusView, nextNonces pending: [PublicKey: UInt64]) {
        lock.withLock {
            view = status
            nextNonces = pending
        }
    }

    func get() -> StatusView? { lock.withLock { view } }

    /// The next nonce of a sender with transactions in the mempool (nil: none pooled).
    func nextNonce(_ key: PublicKey) -> UInt64? { lock.withLock { nextNonces[key] } }
}

extension ChainNode {
    /// Recomputes each pooled sender's next nonce (after the mempool changed; loop thread).
    func refreshPooledNextNonces() {
        pooledNextNonces = Dictionary(uniqueKeysWithValues: mempool.senders.map { sender in
            (sender, mempool.nextNonce(sender: sender, accountNonce: (try? chain.account(sender).nonce) ?? 0))
        })
    }

    /// Refreshes the status snapshot (loop thread).
    func publishSnapshot() {
        let height = head.height
        let nextHeight = height + 1
        let epoch = params.epoch(ofHeight: nextHeight)
        let start = params.firstHeight(ofEpoch: epoch)
        let phase: EpochPhase = nextHeight <= params.sprintLastHeight(ofEpoch: epoch) ? .sprint
            : (nextHeight <= params.sprintLastHeight(ofEpoch: epoch) + params.sprintLength ? .verify : .serve)
        let sorted = finalityMilliseconds.sorted()
        func percentile(_ p: Double) -> Double? {
            sorted.isEmpty ? nil : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.down)))]
        }
        let step: String
        if let halted { step = "halted: \(halted)" } else if isSyncing { step = "syncing" } else if let core {
            step = "\(core.step)"
        } else { step = "commit" }
        snapshot.set(StatusView(
            chainId: chainId, moniker: options.moniker, nodeKey: "\(publicKey)", height: height,
            headHash: "\(head.hash)", epoch: epoch, phase: phase, epochStartHeight: start,
            nextEpochHeight: params.lastHeight(ofEpoch: epoch) + 1, round: core?.round ?? 0, step: step,
            peerKeys: p2p.connectedPeers.map { "\($0)" }.sorted(),
            validators: validators.validators.map { WeightView(key: "\($0.key)", weight: $0.weight) },
            totalWeight: validators.totalWeight, lastBlockTimeMs: head.timeMilliseconds,
            finalityLatencyMs: LatencyView(p50: percentile(0.5), p99: percentile(0.99), samples: sorted.count),
            mempoolSize: mempool.count, isSyncing: isSyncing, isValidator: validators.weight(of: publicKey) > 0
        ), nextNonces: pooledNextNonces)
    }
}

/// Answers the HTTP API for one `ChainNode`.
struct NodeBackend: NodeAPIBackend {
    let node: ChainNode
    let chain: ChainState

    init(node: ChainNode) {
        self.node = node
        self.chain = node.chain
    }

    func status() -> StatusView {
        guard let view = node.snapshot.get() else { preconditionFailure("status read before the node started") }
        return view
    }

    func block(height: UInt64) -> BlockView? {
        guard let block = try? chain.block(at: height) else { return nil }
        let commit = try? chain.commit(at: height)
        let header = block.header
        return BlockView(
            height: header.height, hash: "\(header.hash)", time: header.timeMilliseconds,
            proposer: "\(header.proposer)", epoch: header.epoch, stateCommitment: "\(header.stateCommitment)",
            previousHash: "\(header.previousHash)",
            transactions: block.transactions.map(Self.view),
            commitRound: commit?.round ?? 0, commitVoters: commit?.precommits.map { "\($0.voter)" } ?? []
        )
    }

    static func view(_ tx: SignedTransaction) -> TransactionView {
        let t = tx.transaction
        let (kind, summary): (String, String)
        switch t.body {
        case .transfer(let to, let amount): (kind, summary) = ("transfer", "\(amount) to \(to)")
        case .bond(let amount): (kind, summary) = ("bond", "\(amount)")
        case .unbond(let amount): (kind, summary) = ("unbond", "\(amount)")
        case .registerHost(let host):
            (kind, summary) = ("register-host", "\(host.models.joined(separator: ",")) at \(host.apiEndpoint)")
        case .sprintCommit(let epoch, let root, let count):
            (kind, summary) = ("sprint-commit", "epoch \(epoch): \(count) nonces, root \(root)")
        case .sprintVerdict(let epoch, let participant, let passed):
            (kind, summary) = ("sprint-verdict", "epoch \(epoch): \(participant) \(passed ? "passed" : "failed")")
        }
        return TransactionView(id: "\(tx.id)", sender: "\(t.sender)", nonce: t.nonce, kind: kind, summary: summary)
    }

    func account(_ key: PublicKey) -> AccountView {
        let account = (try? chain.account(key)) ?? Account()
        let bonded = (try? chain.bonded(key)) ?? 0
        let unbonding = ((try? chain.unbonding(key)) ?? []).reduce(UInt64(0)) { $0 &+ $1.amount }
        let pending = node.snapshot.nextNonce(key).map { max($0, account.nonce) }
        return AccountView(address: Address(publicKey: key).description, key: "\(key)", balance: account.balance,
                           nonce: account.nonce, nextNonce: pending, bonded: bonded, unbonding: unbonding)
    }

    func epoch(_ number: UInt64) -> EpochView? {
        guard let info = try? chain.epochInfo(number) else { return nil }
        let commits = (try? chain.sprintCommits(epoch: number).count) ?? 0
        return EpochView(number: number, startHeight: info.startHeight, seed: "\(info.seed)",
                         weights: info.weights.map { WeightView(key: "\($0.key)", weight: $0.weight) },
                         sprintCommits: commits)
    }

    func hosts() -> [HostView] {
        let head = (try? chain.head().height) ?? 0
        let weights = (try? chain.validators(epoch: chain.parameters.epoch(ofHeight: head + 1))) ?? []
        return ((try? chain.hosts()) ?? []).map { entry in
            HostView(key: "\(entry.key)", models: entry.info.models, apiEndpoint: entry.info.apiEndpoint,
                     hardwareClass: entry.info.hardwareClass,
                     weight: weights.first { $0.key == entry.key }?.weight ?? 0)
        }
    }

    func submitTransaction(_ bytes: [UInt8]) async -> Result<String, APIError> {
        let tx: SignedTransaction
        do { tx = try Wire.decode(SignedTransaction.self, from: bytes) } catch {
            return .failure(.invalidRequest("not a signed transaction: \(error)"))
        }
        guard tx.transaction.chainId == chain.chainId else {
            return .failure(.invalidRequest("transaction is for chain \(tx.transaction.chainId), this node runs "
                                            + "\(chain.chainId)"))
        }
        do { try tx.verifySignature() } catch {
            return .failure(.invalidRequest("bad signature: \(error)"))
        }
        let node = self.node
        return await withCheckedContinuation { continuation in
            do {
                try node.loop.submit {
                    if let error = node.admit(tx) {
                        continuation.resume(returning: .failure(.invalidRequest(error)))
                    } else {
                        _ = node.p2p.publish(Wire.encode(tx), topic: .transactions)
                        continuation.resume(returning: .success("\(tx.id)"))
                    }
                }
            } catch {
                let error = APIError(message: "the node is stopping; retry on another node",
                                     type: APIError.serverErrorType)
                continuation.resume(returning: .failure(error))
            }
        }
    }
}
