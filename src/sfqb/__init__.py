"""sfqb: keeps Salesforce and QuickBooks in step, and explains every status code."""

__version__ = "0.1.0"
