/// PoUWCrypto owns hashing, Ed25519 keys and signatures with domain separation, Merkle trees, addresses, key files (owns CSodium).
public enum PoUWCryptoModule {}
