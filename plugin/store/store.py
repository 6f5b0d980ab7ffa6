"""The ``Store`` class: one object for installations, jobs, the ledger and costs."""

from __future__ import annotations

import datetime as dt
import logging
from types import TracebackType

from sqlalchemy import text

from plugin.store.costs import CostMethods
from plugin.store.crypto import SecretCipher
from plugin.store.engine import Database
from plugin.store.installations import InstallationMethods
from plugin.store.jobs import JobMethods
from plugin.store.leases import LeaseMethods
from plugin.store.ledger import LedgerMethods
from plugin.store.migrations import migrate

__all__ = ["Store"]

logger = logging.getLogger(__name__)


class Store(InstallationMethods, JobMethods, LeaseMethods, LedgerMethods, CostMethods):
    """Durable state of the plugin in SQLite or PostgreSQL.

    Every method is synchronous and safe to call from several threads, so async
    code should run them in a worker thread. Database failures surface as
    ``StoreError``, never as SQLAlchemy or driver exceptions.
    """

    def __init__(self, database: Database, cipher: SecretCipher | None = None) -> None:
        self._db = database
        self._cipher = cipher

    @classmethod
    def open(cls, url: str, *, cipher: SecretCipher | None = None) -> Store:
        """Connect to ``sqlite:///PATH`` or ``postgresql://...`` and apply pending migrations.

        With a ``cipher``, installation tokens and settings are encrypted at rest.
        """
        database = Database.connect(url)
        try:
            with database.write("migrating the database schema") as connection:
                applied = migrate(connection, dt.datetime.now(dt.UTC))
        except BaseException:
            database.dispose()
            raise
        logger.info(
            "store.opened url=%s migrations_applied=%s encrypted=%s",
            database.safe_url,
            applied,
            cipher is not None,
        )
        return cls(database, cipher)

    def __repr__(self) -> str:
        return f"Store({self._db.safe_url!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def cipher(self) -> SecretCipher | None:
        """The cipher that encrypts secrets at rest, if one is configured."""
        return self._cipher

    @property
    def dialect(self) -> str:
        """Name of the database backend: ``sqlite`` or ``postgresql``."""
        return self._db.dialect

    def ping(self) -> None:
        """Run ``SELECT 1``, raising StoreUnavailable when the database is unreachable."""
        with self._db.read("checking the database") as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Close every pooled connection. Do not use the store afterwards."""
        self._db.dispose()
        logger.info("store.closed url=%s", self._db.safe_url)
