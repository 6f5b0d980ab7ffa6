"""Building the plugin manager: defaults, entry points, the allow-list variable."""

import sys
import textwrap

import pytest

from hooks import PLUGINS_ENV, create_plugin_manager, hookimpl


@pytest.fixture
def installed_plugins(tmp_path, monkeypatch):
    """Install two merchant plugins as a real distribution with entry points."""
    (tmp_path / "acme_routing.py").write_text(
        textwrap.dedent(
            """
            from hooks import hookimpl

            @hookimpl
            def distributor_for_line(line):
                return "acme"
            """
        )
    )
    (tmp_path / "acme_costs.py").write_text(
        "from hooks import hookimpl\n\n@hookimpl\ndef unit_cost():\n    return None\n"
    )
    dist_info = tmp_path / "acme_plugins-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-plugins\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text(
        "[dr_distributor]\nacme_routing = acme_routing\nacme_costs = acme_costs\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for module in ("acme_routing", "acme_costs"):
        sys.modules.pop(module, None)


def plugin_names(manager):
    return {name for name, _ in manager.list_name_plugin()}


def test_defaults_registered():
    manager = create_plugin_manager(load_entry_points=False)

    assert plugin_names(manager) == {"defaults"}


def test_entry_points_loaded(installed_plugins):
    manager = create_plugin_manager(environ={})

    assert {"acme_routing", "acme_costs"} <= plugin_names(manager)


def test_environment_limits_plugins(installed_plugins):
    manager = create_plugin_manager(environ={PLUGINS_ENV: "acme_costs"})

    assert "acme_costs" in plugin_names(manager)
    assert "acme_routing" not in plugin_names(manager)


def test_empty_environment_loads_none(installed_plugins):
    manager = create_plugin_manager(environ={PLUGINS_ENV: ""})

    assert plugin_names(manager) == {"defaults"}


def test_entry_points_not_loaded_at_import(installed_plugins):
    import hooks  # noqa: F401

    assert "acme_routing" not in sys.modules


def test_merchant_answer_wins_over_default(installed_plugins):
    manager = create_plugin_manager(environ={PLUGINS_ENV: "acme_routing"})

    answer = manager.hook.distributor_for_line(line=None, event=None, context=None)

    assert answer == "acme"


def test_unknown_hook_fails_loudly():
    class Typo:
        @hookimpl
        def distributor_for_lines(self):
            return None

    with pytest.raises(Exception, match="distributor_for_lines"):
        create_plugin_manager(load_entry_points=False, plugins=[Typo()])
