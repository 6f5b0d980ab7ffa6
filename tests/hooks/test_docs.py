"""docs/hooks.md documents every hook with its exact signature."""

import inspect
import re

import pytest

from hooks import specs
from tests.support.paths import ROOT

HEADING = re.compile(r"^### `(\w+)\(([^)]*)\)`$", re.MULTILINE)


def documented_signatures() -> dict[str, list[str]]:
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    return {
        name: [
            argument.strip() for argument in arguments.split(",") if argument.strip()
        ]
        for name, arguments in HEADING.findall(text)
    }


def test_every_spec_is_documented():
    assert set(documented_signatures()) == set(specs.SPEC_NAMES)


@pytest.mark.parametrize("name", specs.SPEC_NAMES)
def test_documented_signature_matches_spec(name):
    spec_arguments = list(inspect.signature(getattr(specs, name)).parameters)
    assert documented_signatures()[name] == spec_arguments


def test_spec_names_list_every_spec():
    marked = {
        name
        for name, function in inspect.getmembers(specs, inspect.isfunction)
        if hasattr(function, "dr_distributor_spec")
    }
    assert marked == set(specs.SPEC_NAMES)
