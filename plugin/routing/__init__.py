"""Routing: distributors, item ids, costs and shipping of a fulfillment's lines."""

from plugin.routing.costs import SettingsCostTable, cost_from_metadata, parse_amount
from plugin.routing.keys import request_key
from plugin.routing.plan import cost_date, plan_fulfillment
from plugin.routing.rules import distributor_by_rules
from plugin.routing.shipping import allocate_shipping, shipping_from_settings

__all__ = [
    "SettingsCostTable",
    "allocate_shipping",
    "cost_date",
    "cost_from_metadata",
    "distributor_by_rules",
    "parse_amount",
    "plan_fulfillment",
    "request_key",
    "shipping_from_settings",
]
