"""The throwaway PostgreSQL server fixture: its behaviour without binaries."""

from __future__ import annotations

import pytest

from tests.support import postgres


def test_missing_binaries_skip(monkeypatch):
    monkeypatch.setattr(postgres, "find_postgres_bin", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Install PostgreSQL"):
        postgres._start_server()


def test_missing_binaries_fail_in_ci(monkeypatch):
    monkeypatch.setattr(postgres, "find_postgres_bin", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL binaries"):
        postgres._start_server()


def test_find_binaries_honours_postgres_bin(monkeypatch, tmp_path):
    for program in ("initdb", "pg_ctl"):
        (tmp_path / program).write_text("")
    monkeypatch.setenv("POSTGRES_BIN", str(tmp_path))
    assert postgres.find_postgres_bin() == tmp_path
