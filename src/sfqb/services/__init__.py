"""Service functions shared by the CLI and the console: they take collaborators and return data."""
