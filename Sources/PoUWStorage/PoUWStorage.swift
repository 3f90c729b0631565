/// PoUWStorage owns the LMDB key-value store behind a small protocol, and its in-memory twin (owns CLMDB).
public enum PoUWStorageModule {}
