"""Objects shared by the app's endpoints and its worker."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import pluggy
from starlette.concurrency import run_in_threadpool

from plugin.app.config import AppConfig
from plugin.saleor.jwks import Jwks, JwksCache
from plugin.settings import Settings, parse_settings
from plugin.store import CipherError, Installation, Store

__all__ = ["AppState"]

logger = logging.getLogger(__name__)

SEALED_PREFIX = "fernet:"
"""Marks a stored webhook body encrypted by ``AppState.seal_payload``."""


@dataclass
class AppState:
    """The store, key cache, plugin manager and settings of a running app."""

    config: AppConfig
    store: Store
    jwks: JwksCache
    plugin_manager: pluggy.PluginManager
    default_settings: Settings
    _settings_cache: dict[str, tuple[str, Settings]] = field(default_factory=dict)

    def settings_for(self, installation: Installation) -> Settings:
        """Return an installation's own settings, or the default settings.

        Parsed settings are cached until the installation's settings change.
        """
        if not installation.settings:
            return self.default_settings
        cached = self._settings_cache.get(installation.saleor_api_url)
        if cached is not None and cached[0] == installation.settings:
            return cached[1]
        data: dict[str, Any] = json.loads(installation.settings)
        settings = parse_settings(data, f"settings of {installation.saleor_api_url}")
        self._settings_cache[installation.saleor_api_url] = (
            installation.settings,
            settings,
        )
        return settings

    def seal_payload(self, payload: str) -> str:
        """Return a webhook body as stored: encrypted when the store has a cipher.

        Bodies carry the shopper's e-mail address, so they are encrypted with
        the same key as tokens and settings.
        """
        cipher = self.store.cipher
        return payload if cipher is None else SEALED_PREFIX + cipher.encrypt(payload)

    def open_payload(self, stored: str) -> str:
        """Return the webhook body of a job, decrypting it when it was sealed."""
        if not stored.startswith(SEALED_PREFIX):
            return stored
        cipher = self.store.cipher
        if cipher is None:
            raise CipherError(
                "a job's webhook body is encrypted but no secret key is configured; "
                "set DR_DISTRIBUTOR_SECRET_KEY to the key the app ran with"
            )
        return cipher.decrypt(stored.removeprefix(SEALED_PREFIX))

    async def installation(self, saleor_api_url: str) -> Installation | None:
        """Return the installation of a Saleor, read in a worker thread."""
        return await run_in_threadpool(self.store.get_installation, saleor_api_url)

    async def save_jwks(self, saleor_api_url: str, jwks: Jwks) -> None:
        """Persist a key set the cache fetched, so restarts need no fetch."""
        await run_in_threadpool(
            self.store.update_jwks, saleor_api_url, json.dumps(jwks)
        )
        logger.info("jwks.saved saleor_api_url=%s", saleor_api_url)
