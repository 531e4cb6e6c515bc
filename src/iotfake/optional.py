"""Client libraries iotfake works with but does not install: a missing one names what to install."""

from __future__ import annotations

import importlib
from types import ModuleType

#: the package that provides each optional module, and the iotfake extra that installs it
PACKAGES = {"boto3": "boto3", "botocore": "boto3", "httpx": "httpx", "requests": "requests"}
EXTRA = "test"


def install_hint(module: str) -> str:
    """``pip install 'iotfake[test]'`` (or the package alone) for ``module``."""
    package = PACKAGES.get(module.split(".")[0], module.split(".")[0])
    return f"pip install 'iotfake[{EXTRA}]' (or just {package})"


def require(module: str, needed_for: str) -> ModuleType:
    """Import ``module``, or raise ModuleNotFoundError saying who needs it and which extra has it."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.split(".")[0]
        if exc.name not in (module, top):
            raise  # the library is there; something it imports is broken: show that
        raise ModuleNotFoundError(f"{needed_for} needs {top}: {install_hint(top)}", name=exc.name) from None
