"""Use iotfake's fixtures without installing it: ``pytest -p conftest_plugin``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "src"))

from iotfake.pytest_plugin import *  # noqa: F403
from iotfake.pytest_plugin import pytest_configure  # noqa: F401
