"""The settings page shown inside the Saleor dashboard, and its JSON API."""

from plugin.dashboard.routes import API_ENDPOINTS, dashboard_routes

__all__ = ["API_ENDPOINTS", "dashboard_routes"]
