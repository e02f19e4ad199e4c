"""Running cycles: reading Salesforce, driving the engine, persisting what it decided."""
