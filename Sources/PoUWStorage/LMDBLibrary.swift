internal import CLMDB

/// Facts about the linked LMDB.
public enum LMDBLibrary {
    /// The version of the LMDB the binary runs against, e.g. "0.9.24".
    public static var version: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        _ = mdb_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
