"""Use iotfake's fixtures without installing it: ``pytest -p conftest_plugin``.

The plugin module is registered under its entry-point name, ``iotfake``, so that when iotfake is
also installed pytest loads it once (``-p no:iotfake`` still turns it off).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from iotfake import pytest_plugin


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    if pluginmanager.get_plugin("iotfake") is None and not pluginmanager.is_blocked("iotfake"):
        pluginmanager.register(pytest_plugin, "iotfake")
