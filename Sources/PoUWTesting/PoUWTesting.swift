/// PoUWTesting owns deterministic test doubles: the simulated network and seeded cluster runners.
public enum PoUWTestingModule {}
