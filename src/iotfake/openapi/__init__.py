"""OpenAPI 3.0 documents of the surfaces the fake serves (EnOS, scriptr), for API fuzzers
(schemathesis), client generators and readers. Served at ``GET /_iotfake/openapi/<name>``.

They describe the fake, which follows the providers' own docs; where the fake chose (see the
README's "left out or chosen" notes), they say what the fake does.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

NAMES = ("enos", "scriptr")


@cache
def _text(name: str) -> str:
    return resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")


def document(name: str) -> dict[str, Any]:
    """A fresh copy of one document; KeyError for a name the fake has none for."""
    if name not in NAMES:
        raise KeyError(name)
    return json.loads(_text(name))
