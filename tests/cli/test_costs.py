"""``dr-distributor costs import|export`` on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin.cli.costs import costs
from plugin.cli.output import open_output
from plugin.store import CostRow, Store
from tests.support.paths import ROOT

SCRIPT = Path(sys.executable).parent / "dr-distributor"

HEADER = "distributor,sku,currency,cost,effective_from\n"
GOOD = (
    HEADER
    + "dist-a,SKU-1,USD,0.10,2026-01-01\n"
    + "dist-a,SKU-1,USD,0.125,2026-06-01\n"
    + "dist-a,SKU-2,USD,12.345,2026-01-01\n"
    + "dist-b,SKU-1,EUR,100,2026-01-01\n"
)
SETTINGS = """
[[distributors]]
id = "dist-a"
name = "Distributor A"
currency = "USD"
address = { lines = ["1 Main St"], city = "Reno", country = "US" }

[[distributors]]
id = "dist-b"
name = "Distributor B"
currency = "EUR"
address = { lines = ["2 Kade"], city = "Rotterdam", country = "NL" }
"""


def cost_row(
    distributor="dist-a", sku="SKU-1", currency="USD", cost="1.00", day="2026-01-01"
):
    return CostRow(
        distributor_id=distributor,
        sku=sku,
        currency=currency,
        cost=Decimal(cost),
        effective_from=dt.date.fromisoformat(day),
    )


def write(tmp_path, text, name="costs.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def invoke(*arguments, input=None):
    return CliRunner().invoke(
        costs, [str(argument) for argument in arguments], input=input
    )


def test_import_replaces_table(store, store_url, tmp_path):
    store.replace_costs([cost_row(sku="OLD")])
    result = invoke("import", write(tmp_path, GOOD), "--database", store_url)

    assert result.exit_code == 0, result.output
    assert (
        result.stdout
        == "imported 4 unit costs from " + repr(str(tmp_path / "costs.csv")) + "\n"
    )
    assert list(store.iter_costs()) == [
        cost_row(cost="0.10"),
        cost_row(cost="0.125", day="2026-06-01"),
        cost_row(sku="SKU-2", cost="12.345"),
        cost_row(distributor="dist-b", currency="EUR", cost="100"),
    ]


def test_round_trip_is_exact(store, store_url, tmp_path):
    imported = invoke("import", write(tmp_path, GOOD), "--database", store_url)
    exported = invoke("export", "--database", store_url)

    assert imported.exit_code == 0, imported.output
    assert exported.exit_code == 0, exported.output
    assert exported.stdout == GOOD
    assert exported.stderr == "exported 4 unit costs to standard output\n"


def test_round_trip_of_unsorted_file_keeps_rows(store, store_url, tmp_path):
    lines = GOOD.splitlines(keepends=True)
    shuffled = lines[0] + "".join(reversed(lines[1:]))
    invoke("import", write(tmp_path, shuffled), "--database", store_url)
    exported = invoke("export", "--database", store_url)

    assert sorted(exported.stdout.splitlines()) == sorted(shuffled.splitlines())


def test_export_to_file(store, store_url, tmp_path):
    invoke("import", write(tmp_path, GOOD), "--database", store_url)
    target = tmp_path / "out.csv"
    result = invoke("export", "--database", store_url, "--output", target)

    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == GOOD
    assert result.stderr == f"exported 4 unit costs to {str(target)!r}\n"
    assert (
        sorted(
            path.name for path in tmp_path.iterdir() if path.name.startswith(".out.csv")
        )
        == []
    )


def test_export_of_empty_table(store, store_url):
    result = invoke("export", "--database", store_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == HEADER


def test_bad_rows_reported_and_nothing_imported(store, store_url, tmp_path):
    store.replace_costs([cost_row(sku="KEPT", cost="9.99")])
    text = (
        HEADER
        + "dist-a,SKU-1,USD,0.10,2026-01-01\n"
        + "dist-a,SKU-2,USD,-1.00,2026-01-01\n"
        + ",SKU-3,USD,1.00,2026-01-01\n"
        + "dist-a,SKU-4,USD,1.00,2026-01-01\n"
        + "dist-a,SKU-5,USD,1.1234567,2026-02-30\n"
        + "dist-a,SKU-1,USD,0.20,2026-01-01\n"
    )
    result = invoke("import", write(tmp_path, text), "--database", store_url)

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "line 3: cost '-1.00' must be 0 or more",
        "line 4: distributor is empty; fill it in",
        "line 6: cost '1.1234567' has 7 decimal places; round it to at most 6",
        "line 6: effective_from '2026-02-30' is not a valid date; write it as "
        "YYYY-MM-DD, such as 2026-01-31",
        "line 7: distributor 'dist-a', SKU 'SKU-1' and effective_from 2026-01-01 "
        "repeat line 2; keep one of the two rows",
        f"error: 4 rows are invalid in {str(tmp_path / 'costs.csv')!r}, so nothing "
        "was imported and the stored unit costs are unchanged. Fix the rows listed "
        "above and import the file again.",
    ]
    assert list(store.iter_costs()) == [cost_row(sku="KEPT", cost="9.99")]


def test_bad_last_row_rolls_back_earlier_batches(store, store_url, tmp_path):
    store.replace_costs([cost_row(sku="KEPT")])
    rows = "".join(
        f"dist-a,SKU-{index},USD,1.00,2026-01-01\n" for index in range(12000)
    )
    text = HEADER + rows + "dist-a,SKU-X,USD,-1,2026-01-01\n"
    result = invoke("import", write(tmp_path, text), "--database", store_url)

    assert result.exit_code == 1
    assert "line 12002: cost '-1' must be 0 or more" in result.stderr
    assert store.count_costs() == 1
    assert next(store.iter_costs()).sku == "KEPT"


def test_bad_header_names_columns(store, store_url, tmp_path):
    store.replace_costs([cost_row(sku="KEPT")])
    text = "distributor,sku,currency,price,valid_from\ndist-a,SKU-1,USD,1,2026-01-01\n"
    result = invoke("import", write(tmp_path, text), "--database", store_url)

    assert result.exit_code == 1
    assert "unknown column(s) 'price', 'valid_from'" in result.stderr
    assert "missing column(s) 'cost', 'effective_from'" in result.stderr
    assert store.count_costs() == 1


def test_empty_file_rejected(store, store_url, tmp_path):
    result = invoke("import", write(tmp_path, ""), "--database", store_url)
    assert result.exit_code == 1
    assert "the cost file is empty" in result.stderr


def test_header_only_empties_table(store, store_url, tmp_path):
    store.replace_costs([cost_row()])
    result = invoke("import", write(tmp_path, HEADER), "--database", store_url)
    assert result.exit_code == 0, result.output
    assert "imported 0 unit costs" in result.stdout
    assert store.count_costs() == 0


def test_byte_order_mark_accepted(store, store_url, tmp_path):
    path = write(tmp_path, GOOD, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = invoke("import", path, "--database", store_url)
    assert result.exit_code == 0, result.output
    assert store.count_costs() == 4


def test_non_utf8_file_rejected(store, store_url, tmp_path):
    path = write(
        tmp_path, HEADER + "dist-a,SKU-\xe9,USD,1,2026-01-01\n", encoding="latin-1"
    )
    result = invoke("import", path, "--database", store_url)
    assert result.exit_code == 1
    assert "not UTF-8 text" in result.stderr
    assert store.count_costs() == 0


def test_import_from_standard_input(store, store_url):
    result = invoke("import", "-", "--database", store_url, input=GOOD)
    assert result.exit_code == 0, result.output
    assert result.stdout == "imported 4 unit costs from standard input\n"
    assert store.count_costs() == 4


def test_missing_file_reported(store_url, tmp_path):
    result = invoke("import", tmp_path / "nope.csv", "--database", store_url)
    assert result.exit_code == 1
    assert "cannot read" in result.stderr
    assert "No such file or directory" in result.stderr


def test_settings_check_distributor_and_currency(store, store_url, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    text = (
        HEADER
        + "dist-a,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-b,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-c,SKU-1,USD,1.00,2026-01-01\n"
    )
    result = invoke(
        "import", write(tmp_path, text), "--database", store_url, "--settings", settings
    )

    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "line 3: currency 'USD' is not the payout currency of distributor 'dist-b' "
        "in the settings; use EUR",
        "line 4: distributor 'dist-c' is not in the settings; use one of the "
        "configured ids (dist-a, dist-b)",
    ]
    assert store.count_costs() == 0


def test_settings_accept_matching_rows(store, store_url, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    result = invoke(
        "import", write(tmp_path, GOOD), "--database", store_url, "--settings", settings
    )
    assert result.exit_code == 0, result.output
    assert store.count_costs() == 4


def test_invalid_settings_reported(store_url, tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text("[[distributors]]\nid = 1\n", encoding="utf-8")
    result = invoke(
        "import", write(tmp_path, GOOD), "--database", store_url, "--settings", settings
    )
    assert result.exit_code == 1
    assert "invalid settings" in result.stderr


def test_progress_bar_on_request(store, store_url, tmp_path):
    result = invoke(
        "import", write(tmp_path, GOOD), "--database", store_url, "--progress"
    )
    assert result.exit_code == 0, result.output
    assert "imported 4 unit costs" in result.stdout
    assert store.count_costs() == 4


def test_progress_bar_still_lists_problems(store_url, tmp_path):
    text = HEADER + "dist-a,SKU-1,USD,-1,2026-01-01\n"
    result = invoke(
        "import", write(tmp_path, text), "--database", store_url, "--progress"
    )
    assert result.exit_code == 1
    assert "line 2: cost '-1' must be 0 or more" in result.stderr


def test_invalid_database_url_reported(tmp_path):
    result = invoke("import", write(tmp_path, GOOD), "--database", "mysql://x/y")
    assert result.exit_code == 1
    assert "unsupported database URL scheme" in result.stderr


def test_failed_output_keeps_existing_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), open_output(str(target)) as text:
        text.write("partial")
        raise RuntimeError("export failed")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["out.csv"]


def test_output_file_mode_follows_umask(tmp_path):
    target = tmp_path / "out.csv"
    previous = os.umask(0o022)
    try:
        with open_output(str(target)) as text:
            text.write("x")
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == 0o644


def test_output_into_missing_directory_reported(store_url, tmp_path):
    Store.open(store_url).close()
    target = tmp_path / "missing" / "out.csv"
    result = invoke("export", "--database", store_url, "--output", target)
    assert result.exit_code == 1
    assert "cannot write" in result.stderr


def run_script(*arguments):
    return subprocess.run(
        [str(SCRIPT), *(str(argument) for argument in arguments)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_console_script_round_trip(tmp_path):
    database = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    source = write(tmp_path, GOOD)
    target = tmp_path / "out.csv"

    imported = run_script("costs", "import", source, "--database", database)
    exported = run_script("costs", "export", "--database", database, "-o", target)

    assert imported.returncode == 0, imported.stderr
    assert imported.stdout == f"imported 4 unit costs from {str(source)!r}\n"
    assert exported.returncode == 0, exported.stderr
    assert target.read_text(encoding="utf-8") == GOOD
    with Store.open(database) as store:
        assert store.count_costs() == 4


def test_console_script_reports_bad_rows(tmp_path):
    database = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    source = write(tmp_path, HEADER + "dist-a,SKU-1,USD,-1.00,2026-01-01\n")

    result = run_script("costs", "import", source, "--database", database)

    assert result.returncode == 1
    assert result.stderr.startswith("line 2: cost '-1.00' must be 0 or more\n")
    with Store.open(database) as store:
        assert store.count_costs() == 0


def test_export_from_missing_database_rejected(tmp_path):
    result = invoke("export", "--database", f"sqlite:///{tmp_path / 'typo.sqlite3'}")

    assert result.exit_code == 1
    assert "typo.sqlite3' not found" in result.stderr
    assert not (tmp_path / "typo.sqlite3").exists()
