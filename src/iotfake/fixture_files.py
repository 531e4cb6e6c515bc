"""Finding a fixtures document that a test names by a short path.

A test says ``@pytest.mark.iotfake(fixtures="two_orgs.json")`` and means either a file beside the
test or one of the scenarios iotfake ships. The wheel carries the repository's ``fixtures/`` as
``iotfake/fixtures``; an editable install or a source checkout has it at the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir() -> Path:
    """The scenarios shipped with iotfake."""
    packaged = _PACKAGE / "fixtures"
    return packaged if packaged.is_dir() else _PACKAGE.parents[1] / "fixtures"


def resolve(name: str | os.PathLike[str], near: str | os.PathLike[str] | None = None) -> Path:
    """The file ``name`` refers to: absolute, else beside ``near``, else bundled.

    A name without a suffix also matches ``name.json``. Raises FileNotFoundError listing every
    place it looked, because "not found" alone sends people hunting.
    """
    path = Path(name)
    if path.is_absolute():
        bases: list[Path] = [Path()]
    else:
        bases = [Path(near)] if near is not None else []
        bases.append(bundled_dir())
    if not path.is_absolute() and path.parts[:1] == ("fixtures",):
        # "fixtures/two_orgs.json", as written in a source checkout, also names the bundled file
        bases.append(bundled_dir().parent)
    tried = []
    for base in bases:
        candidate = base / path
        for option in (candidate, candidate.with_suffix(".json")) if not path.suffix else (candidate,):
            tried.append(str(option))
            if option.is_file():
                return option
    raise FileNotFoundError(f"fixtures file {str(name)!r} not found; looked for: {', '.join(tried)}")
