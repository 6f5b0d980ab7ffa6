"""Hook specifications of the plugin and their default implementations.

A merchant plugin is a module or object with functions decorated by
``hookimpl``; see ``docs/hooks.md``.
"""

from hooks.manager import PLUGINS_ENV, create_plugin_manager, plugin_manager
from hooks.markers import PROJECT_NAME, hookimpl, hookspec

__all__ = [
    "PLUGINS_ENV",
    "PROJECT_NAME",
    "create_plugin_manager",
    "hookimpl",
    "hookspec",
    "plugin_manager",
]
