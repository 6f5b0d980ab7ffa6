"""A local Digital River API for tests and demos, like stripe-mock for Stripe.

It serves the fulfillment and order endpoints the plugin uses, with Digital
River's validation rules and error format, seeded orders and fault injection.
Start it with ``SandboxServer`` or the ``sandbox`` CLI command.
"""

from plugin.sandbox.app import create_app
from plugin.sandbox.errors import ApiError, SandboxError, SeedError
from plugin.sandbox.faults import FAULT_NAMES, FaultSettings
from plugin.sandbox.models import Fulfillment, Order, OrderItem, RequestRecord
from plugin.sandbox.seed import load_orders, parse_order, parse_orders
from plugin.sandbox.server import DEFAULT_API_KEY, SandboxServer
from plugin.sandbox.state import SandboxState

__all__ = [
    "DEFAULT_API_KEY",
    "FAULT_NAMES",
    "ApiError",
    "FaultSettings",
    "Fulfillment",
    "Order",
    "OrderItem",
    "RequestRecord",
    "SandboxError",
    "SandboxServer",
    "SandboxState",
    "SeedError",
    "create_app",
    "load_orders",
    "parse_order",
    "parse_orders",
]
