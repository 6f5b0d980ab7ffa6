"""Build the plugin manager: specs, defaults, then merchant plugins.

Merchant plugins are installed packages that declare an entry point in the
``dr_distributor`` group. They load when the first plugin manager is built,
never at import time. The ``DR_DISTRIBUTOR_PLUGINS`` environment variable, a
comma-separated list of entry-point names, limits which of them load; set it
to an empty string to load none.
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import os
from collections.abc import Iterable, Mapping

import pluggy

from hooks import defaults, specs
from hooks.markers import PROJECT_NAME

__all__ = ["PLUGINS_ENV", "create_plugin_manager", "plugin_manager"]

PLUGINS_ENV = "DR_DISTRIBUTOR_PLUGINS"

logger = logging.getLogger(__name__)


def create_plugin_manager(
    *,
    load_entry_points: bool = True,
    plugins: Iterable[object] = (),
    environ: Mapping[str, str] | None = None,
) -> pluggy.PluginManager:
    """Return a new plugin manager with the defaults and the given plugins.

    ``plugins`` are registered after the defaults and the installed merchant
    plugins, so the host's own plugins (such as the Saleor reporter) and test
    plugins take part too.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(specs)
    manager.register(defaults, name="defaults")
    if load_entry_points:
        environ = os.environ if environ is None else environ
        _load_entry_points(manager, _allowed_names(environ))
    for plugin in plugins:
        manager.register(plugin)
    manager.check_pending()
    return manager


@functools.cache
def plugin_manager() -> pluggy.PluginManager:
    """Return the process-wide plugin manager, built on the first call."""
    return create_plugin_manager()


def _allowed_names(environ: Mapping[str, str]) -> set[str] | None:
    value = environ.get(PLUGINS_ENV)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def _load_entry_points(manager: pluggy.PluginManager, allowed: set[str] | None) -> None:
    for entry_point in importlib.metadata.entry_points(group=PROJECT_NAME):
        if allowed is not None and entry_point.name not in allowed:
            logger.info("plugins.skipped name=%s env=%s", entry_point.name, PLUGINS_ENV)
            continue
        if manager.has_plugin(entry_point.name):
            continue
        manager.register(entry_point.load(), name=entry_point.name)
        logger.info(
            "plugins.loaded name=%s value=%s", entry_point.name, entry_point.value
        )
