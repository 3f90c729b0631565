/// PoUWGossip owns the gossipsub-style mesh, peer scoring and message caches as pure state machines.
public enum PoUWGossipModule {}
