"""Which Saleor API URLs may install the app."""

import pytest

from plugin.app.config import AppConfig, url_matches

PATTERN = "https://*.saleor.cloud/graphql/"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://shop.saleor.cloud/graphql/", True),
        ("https://eu.shop.saleor.cloud/graphql/", True),
        ("https://SHOP.saleor.cloud/graphql/", True),
        ("https://saleor.cloud/graphql/", False),
        ("https://evil.test/graphql/?.saleor.cloud/graphql/", False),
        ("https://evil.test/#.saleor.cloud/graphql/", False),
        ("https://shop.saleor.cloud.evil.test/graphql/", False),
        ("https://shop.saleor.cloud@evil.test/graphql/", False),
        ("https://user@shop.saleor.cloud/graphql/", False),
        ("http://shop.saleor.cloud/graphql/", False),
        ("https://shop.saleor.cloud:8443/graphql/", False),
        ("https://shop.saleor.cloud/graphql/extra", False),
        ("https://shop.saleor.cloud:bad/graphql/", False),
    ],
)
def test_pattern_matching(url, allowed):
    assert url_matches(url, PATTERN) is allowed


def test_exact_url_pattern():
    assert url_matches(
        "https://shop.example.com/graphql/", "https://shop.example.com/graphql/"
    )


def test_nothing_allowed_by_default():
    assert AppConfig().is_allowed_saleor("https://shop.saleor.cloud/graphql/") is False


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/graphql/", True),
        ("http://localhost:8000/graphql/", True),
        ("http://[::1]:8000/graphql/", True),
        ("http://localhost.evil.test/graphql/", False),
        ("http://10.0.0.1/graphql/", False),
    ],
)
def test_loopback_allowed_in_dev(url, allowed):
    assert AppConfig(allow_loopback=True).is_allowed_saleor(url) is allowed
