"""The domain: pure rules of creative operations, no I/O and no clock."""
