"""sfqb's web app: the Web Connector SOAP endpoint (and later the dashboard and JSON API)."""

from sfqb.web.app import WebServices, create_app

__all__ = ["WebServices", "create_app"]
