"""The `shotline` command line."""
