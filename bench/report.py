"""Figures of a benchmark run: statistics, the machine, and the JSON record."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import resource
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "RESULTS_DIR",
    "machine_info",
    "median",
    "peak_rss_mib",
    "percentile",
    "print_table",
    "write_results",
]

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def percentile(values: Sequence[float], share: float) -> float:
    """Return the ``share`` (0 to 1) percentile by the nearest-rank method."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    """Return the median, or NaN for no values."""
    return statistics.median(values) if values else math.nan


def peak_rss_mib() -> float:
    """Return the peak resident set size of this process in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine_info() -> dict[str, Any]:
    """Return the cores, memory, Python version and architecture of this machine."""
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(_total_memory_bytes() / 2**30, 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _total_memory_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def write_results(name: str, figures: dict[str, Any]) -> Path:
    """Write ``figures`` with the machine and the time to ``bench/results/NAME.json``."""
    RESULTS_DIR.mkdir(exist_ok=True)
    record = {
        "benchmark": name,
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "figures": figures,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def print_table(title: str, rows: Sequence[tuple[str, object]]) -> None:
    """Print ``rows`` of (label, value) under ``title``, labels aligned."""
    print(f"\n{title}")
    width = max((len(label) for label, _ in rows), default=0)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
