"""iotfake: a fake IoT cloud for tests (EnOS Connect, AWS IoT Core registry, scriptr.io devices)."""

from __future__ import annotations

__version__ = "0.1.0"

from .cloud import FakeCloud
from .documents import DocumentError
from .faults import Rule
from .registry import errors

__all__ = ["DocumentError", "FakeCloud", "Rule", "__version__", "errors"]
