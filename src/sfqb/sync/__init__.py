"""The sync engine, sans-I/O: plans operations, batches them, applies their results."""
