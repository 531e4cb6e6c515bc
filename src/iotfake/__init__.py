"""iotfake: a fake IoT cloud for tests (EnOS Connect, AWS IoT Core registry, scriptr.io devices)."""

from __future__ import annotations

__version__ = "0.1.0"

from .cloud import FakeCloud
from .documents import DocumentError
from .registry import errors

__all__ = ["DocumentError", "FakeCloud", "__version__", "errors"]
