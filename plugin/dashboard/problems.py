"""Field problems: validation errors as ``{path, message}`` for the settings form.

A path joins the location of the bad value with dots, such as
``distributors.0.currency``, so the page can show each message next to the
input whose ``data-path`` matches, or next to the nearest enclosing section.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

__all__ = ["FieldProblem", "problems_from_validation", "problems_json"]

# Settings._check_references puts one problem per line, and each problem
# starts with the path it is about ("routing.by_sku.0.distributor: unknown
# distributor ...").
_PROBLEM_PATH = re.compile(r"^([a-z_]+(?:\.[a-z0-9_]+)*): (.+)$", re.DOTALL)

_PATTERN_MESSAGES = {
    r"^\S(.*\S)?$": "must not be blank or start or end with a space",
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid value: where it is in the settings and what is wrong."""

    path: str
    message: str


def problems_from_validation(
    error: ValidationError, prefix: str = ""
) -> list[FieldProblem]:
    """Convert a pydantic ``ValidationError`` into one problem per bad value.

    ``prefix`` is put before every path, for errors of a settings section
    validated on its own (``"digitalriver"`` for ``DigitalRiverSettings``).
    """
    problems: list[FieldProblem] = []
    for item in error.errors():
        path = _join(prefix, *(str(part) for part in item["loc"]))
        message = _message(item)
        if item["loc"]:
            problems.append(FieldProblem(path, message))
        else:
            problems.extend(_split_model_problems(prefix, message))
    return problems


def problems_json(problems: list[FieldProblem]) -> list[dict[str, Any]]:
    """Return the problems as JSON-ready dictionaries."""
    return [asdict(problem) for problem in problems]


def _message(item: ErrorDetails) -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        return "unknown field; remove it or check its spelling"
    if kind == "missing":
        return "required"
    if kind == "string_pattern_mismatch":
        pattern = str((item.get("ctx") or {}).get("pattern", ""))
        if pattern in _PATTERN_MESSAGES:
            return _PATTERN_MESSAGES[pattern]
    return item["msg"].removeprefix("Value error, ")


def _split_model_problems(prefix: str, message: str) -> list[FieldProblem]:
    problems = []
    for part in message.split("\n"):
        match = _PROBLEM_PATH.match(part)
        if match is None:
            problems.append(FieldProblem(prefix, part))
        else:
            problems.append(FieldProblem(_join(prefix, match[1]), match[2]))
    return problems


def _join(*parts: str) -> str:
    return ".".join(part for part in parts if part)
