"""Saleor installations: the app token, the JWKS cache and the settings of each Saleor.

With a cipher, the token and the settings JSON are stored encrypted and the
row's ``secrets_encrypted`` flag is set. Rows written without a cipher stay
readable after a cipher is configured, and are encrypted the next time they
are written.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Connection, RowMapping, delete, select

from plugin.store.crypto import SecretCipher
from plugin.store.engine import Database, conflict_insert
from plugin.store.errors import CipherError, RecordNotFound
from plugin.store.tables import installations
from plugin.store.values import check_json, require_aware

__all__ = ["Installation", "InstallationMethods"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Installation:
    """The app's registration in one Saleor instance."""

    saleor_api_url: str
    app_id: str
    token: SecretStr
    jwks: str | None = field(default=None, repr=False)
    """The Saleor JWKS document as JSON text, as last fetched."""
    settings: str | None = field(default=None, repr=False)
    """The installation's settings as JSON text."""
    created_at: dt.datetime
    updated_at: dt.datetime


class InstallationMethods:
    """Store methods for installations, mixed into ``Store``."""

    _db: Database
    _cipher: SecretCipher | None

    def save_installation(
        self,
        saleor_api_url: str,
        app_id: str,
        token: str,
        jwks: str | None = None,
        settings: str | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> Installation:
        """Insert an installation, or replace the app id and token of a known one.

        A repeated install of the same Saleor brings a new token, which replaces
        the old one. The JWKS and the settings are replaced only when given, and
        ``created_at`` is kept. ``now`` defaults to the current time.
        """
        changes: dict[str, str | None] = {"app_id": app_id, "token": token}
        if jwks is not None:
            changes["jwks"] = check_json(jwks, "jwks")
        if settings is not None:
            changes["settings"] = check_json(settings, "settings")

        with self._db.write("saving installation") as connection:
            installation = self._write(connection, saleor_api_url, changes, now)
        logger.info("store.installation_saved saleor_api_url=%s", saleor_api_url)
        return installation

    def get_installation(self, saleor_api_url: str) -> Installation | None:
        """Return the installation of a Saleor API URL, or None when not installed."""
        with self._db.read("reading installation") as connection:
            row = _select(connection, saleor_api_url)
        return None if row is None else self._decode(row)

    def list_installations(self) -> list[Installation]:
        """Return every installation, ordered by Saleor API URL."""
        query = select(installations).order_by(installations.c.saleor_api_url)
        with self._db.read("listing installations") as connection:
            rows = connection.execute(query).mappings().all()
        return [self._decode(row) for row in rows]

    def update_installation_settings(
        self,
        saleor_api_url: str,
        settings: str | None,
        *,
        now: dt.datetime | None = None,
    ) -> Installation:
        """Replace the settings JSON of an installation, or clear it with None.

        Raises RecordNotFound when the Saleor is not installed.
        """
        changes = {"settings": check_json(settings, "settings")}
        with self._db.write("updating installation settings") as connection:
            _require(connection, saleor_api_url)
            return self._write(connection, saleor_api_url, changes, now)

    def update_jwks(
        self, saleor_api_url: str, jwks: str, *, now: dt.datetime | None = None
    ) -> Installation:
        """Replace the cached JWKS document of an installation.

        Raises RecordNotFound when the Saleor is not installed.
        """
        changes = {"jwks": check_json(jwks, "jwks")}
        with self._db.write("updating installation JWKS") as connection:
            _require(connection, saleor_api_url)
            return self._write(connection, saleor_api_url, changes, now)

    def delete_installation(self, saleor_api_url: str) -> bool:
        """Delete an installation and return whether it existed. Its jobs are kept."""
        statement = delete(installations).where(
            installations.c.saleor_api_url == saleor_api_url
        )
        with self._db.write("deleting installation") as connection:
            deleted = connection.execute(statement).rowcount > 0
        if deleted:
            logger.info("store.installation_deleted saleor_api_url=%s", saleor_api_url)
        return deleted

    def _write(
        self,
        connection: Connection,
        saleor_api_url: str,
        changes: dict[str, str | None],
        now: dt.datetime | None,
    ) -> Installation:
        # Every write re-encrypts the secrets with the current cipher, so a row
        # is either wholly encrypted or wholly plain.
        existing = _select(connection, saleor_api_url)
        plain = {} if existing is None else self._plain(existing)
        plain.update(changes)

        values = self._sealed(plain)
        _upsert(connection, saleor_api_url, values, _now(now))
        return self._decode(_select(connection, saleor_api_url))

    def _plain(self, row: RowMapping) -> dict[str, str | None]:
        settings = row["settings"]
        return {
            "app_id": row["app_id"],
            "token": self._open(row, "token"),
            "jwks": row["jwks"],
            "settings": None if settings is None else self._open(row, "settings"),
        }

    def _sealed(self, plain: dict[str, str | None]) -> dict[str, Any]:
        values: dict[str, Any] = dict(plain)
        values["secrets_encrypted"] = self._cipher is not None
        if self._cipher is not None:
            values["token"] = self._cipher.encrypt(plain["token"] or "")
            if plain.get("settings") is not None:
                values["settings"] = self._cipher.encrypt(plain["settings"] or "")
        return values

    def _decode(self, row: RowMapping) -> Installation:
        settings = row["settings"]
        return Installation(
            saleor_api_url=row["saleor_api_url"],
            app_id=row["app_id"],
            token=SecretStr(self._open(row, "token")),
            jwks=row["jwks"],
            settings=None if settings is None else self._open(row, "settings"),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )

    def _open(self, row: RowMapping, column: str) -> str:
        value: str = row[column]
        if not row["secrets_encrypted"]:
            return value
        url = row["saleor_api_url"]
        if self._cipher is None:
            raise CipherError(
                f"the {column} of installation {url!r} is encrypted: open the store "
                "with the encryption key it was stored with"
            )
        try:
            return self._cipher.decrypt(value)
        except CipherError:
            raise CipherError(
                f"cannot decrypt the {column} of installation {url!r}: it was stored "
                "with a different encryption key. Supply that key (older keys may "
                "follow the current one, separated by commas)"
            ) from None


def _now(now: dt.datetime | None) -> dt.datetime:
    return dt.datetime.now(dt.UTC) if now is None else require_aware(now, "now")


def _select(connection: Connection, saleor_api_url: str) -> Any:
    query = select(installations).where(
        installations.c.saleor_api_url == saleor_api_url
    )
    return connection.execute(query).mappings().first()


def _require(connection: Connection, saleor_api_url: str) -> None:
    if _select(connection, saleor_api_url) is None:
        raise RecordNotFound(
            f"no installation for Saleor API URL {saleor_api_url!r}: "
            "install the app in that Saleor first"
        )


def _upsert(
    connection: Connection,
    saleor_api_url: str,
    values: dict[str, Any],
    now: dt.datetime,
) -> None:
    statement = conflict_insert(connection, installations).values(
        saleor_api_url=saleor_api_url, created_at=now, updated_at=now, **values
    )
    replaced = {name: statement.excluded[name] for name in (*values, "updated_at")}
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[installations.c.saleor_api_url], set_=replaced
        )
    )
