"""docs/aws-coverage.md says which operations iotfake serves: it must say what the handler table does."""

from __future__ import annotations

import re
from pathlib import Path

from iotfake.providers.aws_iot.handlers import HANDLERS

DOC = Path(__file__).resolve().parents[1] / "docs/aws-coverage.md"


def test_the_coverage_document_lists_exactly_the_served_operations() -> None:
    rows = re.findall(r"^\| ([\w:]+) \| (yes)? \|", DOC.read_text(encoding="utf-8"), re.M)
    served = {op for op, yes in rows if yes}
    assert served == set(HANDLERS), "docs/aws-coverage.md is stale: run scripts/aws_coverage.py"
