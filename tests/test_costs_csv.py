"""Cost files: header, row checks with line numbers, and writing them back."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from decimal import Decimal

import pytest

from plugin.costs_csv import (
    COLUMNS,
    MAX_DISTRIBUTOR_LENGTH,
    MAX_SKU_LENGTH,
    CostFileError,
    CostReader,
    CostRowsInvalid,
    check_header,
    parse_row,
    write_costs,
)
from plugin.store import CostRow
from plugin.store.tables import unit_costs

HEADER = "distributor,sku,currency,cost,effective_from\n"
POSITIONS = {name: position for position, name in enumerate(COLUMNS)}
PAYOUT = {"dist-a": "USD", "dist-b": "EUR"}


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


def read(text, payout=None):
    """Return the rows and the problems of a cost file given as text."""
    problems = []
    reader = CostReader(io.StringIO(text), problems.append, payout)
    rows = []
    with contextlib.suppress(CostRowsInvalid):
        rows.extend(reader)
    return rows, [str(problem) for problem in problems]


def test_header_maps_columns():
    assert check_header(list(COLUMNS)) == POSITIONS


def test_header_in_any_order():
    columns = check_header(["cost", "sku", "effective_from", "distributor", "currency"])
    assert columns["cost"] == 0
    assert columns["currency"] == 4


def test_header_names_unknown_column():
    with pytest.raises(CostFileError) as caught:
        check_header([*COLUMNS, "price"])
    assert "unknown column(s) 'price'" in str(caught.value)


def test_header_names_missing_columns():
    with pytest.raises(CostFileError) as caught:
        check_header(["distributor", "sku", "currency"])
    assert "missing column(s) 'cost', 'effective_from'" in str(caught.value)


def test_header_names_repeated_column():
    with pytest.raises(CostFileError) as caught:
        check_header([*COLUMNS, "sku"])
    assert "repeated column(s) 'sku'" in str(caught.value)


def test_header_error_shows_expected_header():
    with pytest.raises(CostFileError) as caught:
        check_header(["price"])
    assert HEADER.strip() in str(caught.value)


def test_header_ignores_spaces_around_names():
    assert check_header([f" {name} " for name in COLUMNS]) == POSITIONS


def test_reader_accepts_byte_order_mark():
    rows, problems = read("\ufeff" + HEADER + "dist-a,SKU-1,USD,1.00,2026-01-01\n")
    assert problems == []
    assert rows == [cost_row()]


def test_reader_accepts_decoded_byte_order_mark():
    data = ("\ufeff" + HEADER + "dist-a,SKU-1,USD,1.00,2026-01-01\n").encode()
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    assert list(CostReader(text, print)) == [cost_row()]


def test_reader_rejects_empty_file():
    with pytest.raises(CostFileError) as caught:
        CostReader(io.StringIO(""), print)
    assert "empty" in str(caught.value)
    assert HEADER.strip() in str(caught.value)


def test_reader_rejects_bad_header_before_rows():
    with pytest.raises(CostFileError) as caught:
        CostReader(io.StringIO("distributor,sku\nd,s\n"), print)
    assert "missing column(s) 'currency', 'cost', 'effective_from'" in str(caught.value)


def test_reader_header_only_yields_nothing():
    assert read(HEADER) == ([], [])


def test_reader_reads_columns_by_name():
    text = "cost,effective_from,sku,currency,distributor\n0.10,2026-01-01,SKU-1,USD,dist-a\n"
    rows, problems = read(text)
    assert problems == []
    assert rows == [cost_row(cost="0.10")]


def test_cost_keeps_its_text_exactly():
    rows, _ = read(HEADER + "dist-a,SKU-1,USD,0.10,2026-01-01\n")
    assert str(rows[0].cost) == "0.10"


@pytest.mark.parametrize(
    ("cost", "expected"),
    [("0", "0"), ("0.10", "0.10"), ("12.345", "12.345"), ("0.000001", "0.000001"),
     ("1000000", "1000000"), ("007.50", "7.50")],
)  # fmt: skip
def test_cost_accepted(cost, expected):
    row = parse_row(["dist-a", "SKU-1", "USD", cost, "2026-01-01"], POSITIONS)
    assert isinstance(row, CostRow)
    assert format(row.cost, "f") == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cost", "-1.00", "cost '-1.00' must be 0 or more"),
        ("cost", "1.1234567", "cost '1.1234567' has 7 decimal places; round it to at most 6"),
        ("cost", "abc", "cost 'abc' is not a decimal number"),
        ("cost", "1e3", "cost '1e3' is not a decimal number"),
        ("cost", "NaN", "cost 'NaN' is not a decimal number"),
        ("cost", "Infinity", "cost 'Infinity' is not a decimal number"),
        ("cost", "1,00", "cost '1,00' is not a decimal number"),
        ("cost", ".5", "cost '.5' is not a decimal number"),
        ("cost", " 1.00", "cost ' 1.00' is not a decimal number"),
        ("cost", "+1", "cost '+1' is not a decimal number"),
        ("cost", "", "cost '' is not a decimal number"),
        ("currency", "usd", "currency 'usd' must be written 'USD'"),
        ("currency", "XYZ", "invalid currency 'XYZ': use an ISO 4217 code such as USD or EUR"),
        ("currency", "XAU", "currency 'XAU' has no minor unit"),
        ("currency", "US", "currency 'US' is not an ISO 4217 currency code"),
        ("currency", "", "currency '' is not an ISO 4217 currency code"),
        ("effective_from", "2026-02-30", "effective_from '2026-02-30' is not a valid date"),
        ("effective_from", "20260101", "effective_from '20260101' is not a valid date"),
        ("effective_from", "2026-1-1", "effective_from '2026-1-1' is not a valid date"),
        ("effective_from", "01/02/2026", "effective_from '01/02/2026' is not a valid date"),
        ("effective_from", "2026-01-01T00:00", "effective_from '2026-01-01T00:00' is not a valid date"),
        ("distributor", "", "distributor is empty"),
        ("distributor", "  ", "distributor is empty"),
        ("distributor", " dist-a", "distributor ' dist-a' has leading or trailing spaces"),
        ("sku", "", "sku is empty"),
        ("sku", "SKU-1 ", "sku 'SKU-1 ' has leading or trailing spaces"),
    ],
)  # fmt: skip
def test_invalid_value_rejected(field, value, message):
    fields = ["dist-a", "SKU-1", "USD", "1.00", "2026-01-01"]
    fields[POSITIONS[field]] = value
    problems = parse_row(fields, POSITIONS)
    assert isinstance(problems, list)
    assert len(problems) == 1
    assert problems[0].startswith(message)


def test_distributor_longer_than_column_rejected():
    distributor = "d" * (MAX_DISTRIBUTOR_LENGTH + 1)
    problems = parse_row([distributor, "SKU-1", "USD", "1", "2026-01-01"], POSITIONS)
    assert problems == [
        f"distributor {'d' * 40 + '...'!r} is {MAX_DISTRIBUTOR_LENGTH + 1} characters "
        f"long; the maximum is {MAX_DISTRIBUTOR_LENGTH}"
    ]


def test_sku_of_maximum_length_accepted():
    sku = "s" * MAX_SKU_LENGTH
    row = parse_row(["dist-a", sku, "USD", "1", "2026-01-01"], POSITIONS)
    assert isinstance(row, CostRow)


def test_sku_longer_than_column_rejected():
    sku = "s" * (MAX_SKU_LENGTH + 1)
    problems = parse_row(["dist-a", sku, "USD", "1", "2026-01-01"], POSITIONS)
    assert isinstance(problems, list)
    assert "the maximum is 255" in problems[0]


def test_limits_match_store_columns():
    assert unit_costs.c.distributor_id.type.length == MAX_DISTRIBUTOR_LENGTH
    assert unit_costs.c.sku.type.length == MAX_SKU_LENGTH


def test_row_reports_every_bad_value():
    problems = parse_row(["", "SKU-1", "usd", "-1", "2026-13-01"], POSITIONS)
    assert isinstance(problems, list)
    assert len(problems) == 4


def test_row_with_wrong_field_count_rejected():
    problems = parse_row(["dist-a", "SKU-1", "USD", "1"], POSITIONS)
    assert problems == [
        "the row has 4 field(s) but the header has 5; quote values that contain a comma"
    ]


def test_settings_accept_payout_currency():
    row = parse_row(["dist-b", "SKU-1", "EUR", "1", "2026-01-01"], POSITIONS, PAYOUT)
    assert isinstance(row, CostRow)


def test_settings_reject_unknown_distributor():
    problems = parse_row(
        ["dist-z", "SKU-1", "EUR", "1", "2026-01-01"], POSITIONS, PAYOUT
    )
    assert problems == [
        "distributor 'dist-z' is not in the settings; use one of the configured "
        "ids (dist-a, dist-b)"
    ]


def test_settings_reject_other_currency():
    problems = parse_row(
        ["dist-a", "SKU-1", "EUR", "1", "2026-01-01"], POSITIONS, PAYOUT
    )
    assert problems == [
        "currency 'EUR' is not the payout currency of distributor 'dist-a' in the "
        "settings; use USD"
    ]


def test_settings_without_distributors():
    problems = parse_row(["dist-a", "SKU-1", "USD", "1", "2026-01-01"], POSITIONS, {})
    assert isinstance(problems, list)
    assert "configured ids (none)" in problems[0]


def test_reader_reports_every_bad_row_with_line():
    text = (
        HEADER
        + "dist-a,SKU-1,USD,1.00,2026-01-01\n"  # line 2
        + "dist-a,SKU-2,USD,-1.00,2026-01-01\n"  # line 3
        + "dist-a,SKU-3,USD,2.00,2026-01-01\n"  # line 4
        + "dist-a,SKU-4,USD,2.00,2026-02-30\n"  # line 5
        + "dist-a,SKU-5,USD,x,2026-01-01\n"  # line 6
    )
    _, problems = read(text)
    assert problems == [
        "line 3: cost '-1.00' must be 0 or more",
        "line 5: effective_from '2026-02-30' is not a valid date; write it as "
        "YYYY-MM-DD, such as 2026-01-31",
        "line 6: cost 'x' is not a decimal number; write digits with an optional "
        "decimal point, such as 12.345",
    ]


def test_reader_stops_yielding_at_first_problem():
    text = (
        HEADER
        + "dist-a,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-a,SKU-2,USD,-1.00,2026-01-01\n"
        + "dist-a,SKU-3,USD,2.00,2026-01-01\n"
    )
    rows, _ = read(text)
    assert [row.sku for row in rows] == ["SKU-1"]


def test_reader_raises_with_count_at_end():
    text = HEADER + "dist-a,SKU-1,USD,-1,2026-01-01\ndist-a,SKU-2,USD,-2,2026-01-01\n"
    reader = CostReader(io.StringIO(text), lambda problem: None)
    with pytest.raises(CostRowsInvalid) as caught:
        list(reader)
    assert caught.value.count == 2


def test_line_numbers_count_blank_and_multiline_rows():
    text = (
        HEADER
        + "\n"  # line 2, blank
        + 'dist-a,"SKU\n1",USD,1.00,2026-01-01\n'  # lines 3-4
        + "dist-a,SKU-2,USD,bad,2026-01-01\n"  # line 5
    )
    rows, problems = read(text)
    assert problems[0].startswith("line 5: cost 'bad'")
    assert rows[0].sku == "SKU\n1"


def test_line_numbers_with_crlf_line_ends():
    text = HEADER + "dist-a,SKU-1,USD,1,2026-01-01\ndist-a,SKU-2,USD,-1,2026-01-01\n"
    rows, problems = read(text.replace("\n", "\r\n"))
    assert problems == ["line 3: cost '-1' must be 0 or more"]
    assert [row.sku for row in rows] == ["SKU-1"]


def test_duplicate_key_names_first_line():
    text = (
        HEADER
        + "dist-a,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-a,SKU-2,USD,1.00,2026-01-01\n"
        + "dist-a,SKU-1,USD,2.00,2026-01-01\n"
    )
    _, problems = read(text)
    assert problems == [
        "line 4: distributor 'dist-a', SKU 'SKU-1' and effective_from 2026-01-01 "
        "repeat line 2; keep one of the two rows"
    ]


def test_same_sku_on_other_date_or_distributor_allowed():
    text = (
        HEADER
        + "dist-a,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-a,SKU-1,USD,1.50,2026-06-01\n"
        + "dist-b,SKU-1,EUR,1.00,2026-01-01\n"
    )
    rows, problems = read(text)
    assert problems == []
    assert len(rows) == 3


def test_keys_with_shifted_text_stay_distinct():
    # "dist-a" + "1SKU" and "dist-a1" + "SKU" would collide if simply joined.
    text = (
        HEADER
        + "dist-a,1SKU,USD,1.00,2026-01-01\n"
        + "dist-a1,SKU,USD,1.00,2026-01-01\n"
    )
    rows, problems = read(text)
    assert problems == []
    assert len(rows) == 2


def test_mixed_currencies_of_distributor_rejected():
    text = (
        HEADER
        + "dist-a,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-a,SKU-2,EUR,1.00,2026-01-01\n"
    )
    _, problems = read(text)
    assert problems == [
        "line 3: currency 'EUR' differs from 'USD' on line 2 for distributor "
        "'dist-a'; a distributor is paid in one currency, so use USD"
    ]


def test_reader_with_settings_checks_payout():
    text = (
        HEADER
        + "dist-a,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-b,SKU-1,USD,1.00,2026-01-01\n"
        + "dist-z,SKU-1,USD,1.00,2026-01-01\n"
    )
    _, problems = read(text, PAYOUT)
    assert len(problems) == 2
    assert problems[0].startswith("line 3: currency 'USD' is not the payout currency")
    assert problems[1].startswith("line 4: distributor 'dist-z' is not in the settings")


def test_invalid_csv_quoting_rejected():
    text = HEADER + 'dist-a,"SKU-1"x,USD,1.00,2026-01-01\n'
    with pytest.raises(CostFileError) as caught:
        read(text)
    assert str(caught.value).startswith("line 2: not valid CSV")


def test_non_utf8_file_rejected():
    data = (HEADER + "dist-a,SKU-\xe9,USD,1.00,2026-01-01\n").encode("latin-1")
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    with pytest.raises(CostFileError) as caught:
        list(CostReader(text, print))
    assert "not UTF-8 text" in str(caught.value)
    assert "b'\\xe9'" in str(caught.value)


def test_long_value_shortened_in_message():
    _, problems = read(HEADER + f"dist-a,SKU-1,{'X' * 100},1,2026-01-01\n")
    assert f"currency {'X' * 40 + '...'!r}" in problems[0]


def test_write_costs_header_and_rows():
    text = io.StringIO()
    rows = [cost_row(cost="0.10"), cost_row(sku="SKU,2", cost="12.345")]
    written = write_costs(rows, text)
    assert written == 2
    assert text.getvalue() == (
        HEADER
        + "dist-a,SKU-1,USD,0.10,2026-01-01\n"
        + 'dist-a,"SKU,2",USD,12.345,2026-01-01\n'
    )


def test_write_costs_plain_notation():
    text = io.StringIO()
    write_costs([cost_row(cost="0.000001"), cost_row(cost="1E+2")], text)
    lines = text.getvalue().splitlines()
    assert lines[1].split(",")[3] == "0.000001"
    assert lines[2].split(",")[3] == "100"


def test_written_file_reads_back_equal():
    rows = [
        cost_row(cost="0.10"),
        cost_row(sku='SKU "quoted", with comma', cost="12.345"),
        cost_row(distributor="dist-b", currency="EUR", cost="0", day="2026-12-31"),
        cost_row(sku="SKU\nwith line break", cost="7.000000"),
    ]
    text = io.StringIO()
    write_costs(rows, text)
    read_back, problems = read(text.getvalue())
    assert problems == []
    assert read_back == rows
    assert [str(row.cost) for row in read_back] == ["0.10", "12.345", "0", "7.000000"]
