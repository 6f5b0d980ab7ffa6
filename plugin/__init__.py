"""Digital River distributor-model plugin for Saleor."""

__version__ = "0.1.0"
