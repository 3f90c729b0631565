import PoUWCore

extension Nanoseconds {
    /// `self + other`, or `UInt64.max` where that overflows: a deadline that never comes.
    func saturatingAdding(_ other: Nanoseconds) -> Nanoseconds {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
