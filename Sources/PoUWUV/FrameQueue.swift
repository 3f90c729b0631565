/// A FIFO of frames with a running byte count (the per-peer inbound queue).
import PoUWNet

/// First in, first out; `popFirst` is amortised O(1) (a head index, compacted when half is spent).
struct FrameQueue {
    private var frames: [Frame] = []
    private var head = 0
    /// Sum of the payload sizes of the frames held.
    private(set) var payloadBytes = 0

    var count: Int { frames.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ frame: Frame) {
        frames.append(frame)
        payloadBytes += frame.payload.count
    }

    mutating func popFirst() -> Frame? {
        guard head < frames.count else { return nil }
        let frame = frames[head]
        frames[head] = Frame(type: frame.type, payload: [])
        head += 1
        payloadBytes -= frame.payload.count
        if head == frames.count {
            frames.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= frames.count {
            frames.removeFirst(head)
            head = 0
        }
        return frame
    }

    mutating func removeAll() {
        frames = []
        head = 0
        payloadBytes = 0
    }
}
