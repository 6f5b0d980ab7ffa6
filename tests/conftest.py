"""Fixtures shared by the whole suite."""

pytest_plugins = [
    "tests.support.fixtures",
    "tests.support.postgres",
    "tests.support.saleor_double",
    "tests.support.sandbox",
]
