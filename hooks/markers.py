"""Markers for hook specifications and implementations."""

import pluggy

PROJECT_NAME = "dr_distributor"
"""pluggy project name, also the entry-point group merchant plugins use."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
