/// Connection events, incoming frames and the router's actions.
import PoUWCore
import PoUWCrypto
import PoUWGossip
public import PoUWNet
public import PoUWUV

extension P2PNode: PeerConnectionDelegate {
    public func peerConnectionEstablished(_ connection: PeerConnection) {
        guard let peer = connection.remotePeer else { return }
        guard !isShutDown else {
            connection.close(reason: "shutting down")
            return
        }
        let now = clock.monotonicNanoseconds()
        let address = dialledAddresses[connection.id]
        if let address { peerManager.dialSucceeded(address, peer: peer) }
        let admission: PeerAdmission
        do {
            admission = try peerManager.admit(
                number: connection.id.number, peer: peer, outbound: connection.direction == .outbound,
                ip: connection.remoteAddress.host, address: address, nowNanoseconds: now)
        } catch {
            statsStore.connectionsRefused += 1
            connection.close(reason: "\(error)")
            return
        }
        admitted[connection.id] = peer
        if case .replace = admission, let old = connections[peer] {
            // Same identity, the new connection wins the tie-break: the router keeps the peer.
            admitted[old.id] = nil
            connections[peer] = connection
            old.close(reason: "replaced by a newer connection to the same peer")
        } else {
            connections[peer] = connection
            onPeer?(peer, true)
            perform(router.handle(.peerConnected(peer, outbound: connection.direction == .outbound)))
        }
        sendPeerExchange(to: connection)
    }

    public func peerConnection(_ connection: PeerConnection, received frame: Frame) {
        guard let peer = admitted[connection.id], connections[peer] === connection else { return }
        statsStore.framesReceived += 1
        statsStore.bytesReceived += P2PStats.wireBytes(payloadBytes: frame.payload.count)
        switch frame.type {
        case .gossip:
            perform(router.handle(.received(from: peer, bytes: frame.payload)))
        case .peerExchange:
            receivePeerExchange(frame.payload, from: peer, connection: connection)
        case .request:
            answerRequest(frame.payload, from: peer, connection: connection)
        case .response:
            receiveResponse(frame.payload, from: peer)
        case .ping:
            send(Frame(type: .pong, payload: frame.payload), on: connection)
        case .pong:
            break
        case .goodbye:
            connection.close(reason: "peer said goodbye")
        }
    }

    public func peerConnectionClosed(_ connection: PeerConnection, reason: CloseReason) {
        let now = clock.monotonicNanoseconds()
        if case .channel = reason { statsStore.channelFailures += 1 }
        let address = dialledAddresses.removeValue(forKey: connection.id)
        peerExchangeFrames[connection.id] = nil
        peerManager.closed(number: connection.id.number, nowNanoseconds: now)
        guard let peer = admitted.removeValue(forKey: connection.id) else {
            // Never admitted: a failed handshake of our dial counts as a failed dial.
            if let address, connection.remotePeer == nil { peerManager.dialFailed(address, nowNanoseconds: now) }
            return
        }
        guard connections[peer] === connection else { return }
        connections[peer] = nil
        onPeer?(peer, false)
        perform(router.handle(.peerDisconnected(peer)))
        for ended in requests.removeAll(peer: peer) {
            requestCompletions.removeValue(forKey: ended.id)?(.failure(.peerGone))
        }
    }

    // MARK: Sending

    func send(_ frame: Frame, on connection: PeerConnection) {
        do {
            try connection.send(frame)
            statsStore.framesSent += 1
            statsStore.bytesSent += P2PStats.wireBytes(payloadBytes: frame.payload.count)
        } catch {
            // A full queue drops the frame (gossip recovers through IHAVE/IWANT); a closed
            // connection reports its close separately.
        }
    }

    // MARK: Router actions

    /// Carries out the router's actions in order, including those that validation results produce.
    func perform(_ actions: [GossipAction]) {
        var queue = actions[...]
        while let action = queue.popFirst() {
            switch action {
            case .send(let peer, let bytes):
                if let connection = connections[peer] { send(Frame(type: .gossip, payload: bytes), on: connection) }
            case .validate(let topic, let id, let data, let from):
                let message = P2PMessage(topic: topic, id: id.hash, data: data, from: from)
                let verdict = validator?(message) ?? .accept
                queue.append(contentsOf: router.handle(.validationResult(id, verdict)))
            case .deliver(let topic, let id, let data, let from):
                onDeliver?(P2PMessage(topic: topic, id: id.hash, data: data, from: from))
            case .disconnect(let peer, let reason):
                connections[peer]?.close(reason: "gossip router: \(reason)")
            case .graylisted:
                break
            case .banned(let peer, let until):
                peerManager.ban(peer, untilNanoseconds: until)
            case .peerExchange(_, let records):
                for envelope in records { verifyAndLearn(envelope) }
                dialDue()
            }
        }
    }

    // MARK: Peer exchange

    /// Sends our own signed record and the records we hold of other peers.
    func sendPeerExchange(to connection: PeerConnection) {
        guard let ownRecord else { return }
        let others = peerBook.envelopes(excluding: connection.remotePeer)
            .prefix(PeerExchangeMessage.recordsMax - 1)
        let message = PeerExchangeMessage(records: [ownRecord] + others)
        send(Frame(type: .peerExchange, payload: message.encoded), on: connection)
    }

    func receivePeerExchange(_ payload: [UInt8], from peer: PublicKey, connection: PeerConnection) {
        let frames = peerExchangeFrames[connection.id, default: 0] + 1
        peerExchangeFrames[connection.id] = frames
        guard frames <= Self.peerExchangeFramesMax else { return }
        guard let message = try? PeerExchangeMessage(decoding: payload) else {
            statsStore.invalidPeerRecords += 1
            connection.close(reason: "malformed peer exchange")
            return
        }
        for envelope in message.records where !verifyAndLearn(envelope) {
            connection.close(reason: "peer exchange carried a record that does not verify")
            return
        }
        dialDue()
    }

    /// Verifies a signed peer record and, when it holds, remembers its addresses and hands it to
    /// the router. Returns whether it verified.
    @discardableResult
    func verifyAndLearn(_ envelope: SignedEnvelope) -> Bool {
        guard let record = try? PeerRecord.verified(envelope, chainId: config.chainId) else {
            statsStore.invalidPeerRecords += 1
            return false
        }
        learn(record, envelope)
        return true
    }

    func learn(_ record: PeerRecord, _ envelope: SignedEnvelope) {
        guard record.nodeKey != identity.publicKey else { return }
        guard peerBook.insert(record, envelope) else { return }
        for address in record.addresses where P2PNode.socketAddress(address) != nil {
            peerManager.learn(address: address, peer: record.nodeKey)
        }
        perform(router.handle(.peerRecord(record.nodeKey, envelope)))
    }
}
