"""Local emulators of Salesforce and QuickBooks, for the demo and the tests."""
