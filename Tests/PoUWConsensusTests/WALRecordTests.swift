import PoUWConsensus
import PoUWCore
import PoUWWire
import Testing

@Suite struct WALRecordTests {
    static let samples: [WALRecord] = {
        let work = BatchCommitment(root: block(4), receiptCount: 9, promptTokens: 100, completionTokens: 200)
        var precommit = vote(.precommit, 5, 2, block(1), by: key(2))
        precommit.attestation = work
        return [
            .proposal(proposal(fourEqual, 5, 1, block(1), polRound: 0), valid: true),
            .proposal(proposal(fourEqual, 5, 0, block(2)), valid: false),
            .vote(vote(.prevote, 5, 3, nil, by: key(1))),
            .vote(precommit),
            .timeout(TimeoutEvent(step: .precommit, height: 5, round: 7)),
            .proposalValue(height: 5, round: 2, blockHash: block(3)),
            .ownProposal(proposal(fourEqual, 5, 4, block(3), polRound: 2)),
            .ownVote(precommit),
        ]
    }()

    @Test(arguments: samples)
    func roundTripsThroughTheWire(_ record: WALRecord) throws {
        let bytes = Wire.encode(record)
        #expect(try Wire.decode(WALRecord.self, from: bytes) == record)
        #expect(record.height == 5)
    }

    @Test func rejectsUnknownTagAndTruncation() {
        var bytes = Wire.encode(WALRecord.timeout(TimeoutEvent(step: .propose, height: 1, round: 0)))
        #expect(throws: WireError.self) { try Wire.decode(WALRecord.self, from: Array(bytes.dropLast())) }
        bytes[1] = 0x2a
        #expect(throws: WireError.invalidEnum(type: "WALRecord", raw: 0x2a)) {
            try Wire.decode(WALRecord.self, from: bytes)
        }
    }

    /// Input records map back to the events they log; own messages are not events.
    @Test func recordsMapToEvents() {
        let timeout = TimeoutEvent(step: .prevote, height: 2, round: 1)
        #expect(WALRecord(.timeout(timeout)).event == .timeout(timeout))
        #expect(WALRecord.ownVote(vote(.prevote, 2, 0, nil, by: key(1))).event == nil)
    }
}
