"""Benchmarks of the plugin: scripts run with ``python -m bench.NAME``.

None of them is a test. Each one starts its own servers on 127.0.0.1, is
bounded in request count and wall-clock time, prints its figures and, with
``--json``, writes them to ``bench/results/``. ``bench/README.md`` lists the
commands.
"""
