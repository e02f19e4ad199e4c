"""The `sfqb` command line."""
