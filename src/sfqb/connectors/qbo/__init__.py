"""QuickBooks Online: the REST API (OAuth 2.0, JSON), pushed by sfqb."""
