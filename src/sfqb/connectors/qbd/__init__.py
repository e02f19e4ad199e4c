"""QuickBooks Desktop: the qbXML codec and the Web Connector service."""
