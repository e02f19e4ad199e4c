"""Connectors: the only code that talks to Salesforce and QuickBooks."""
