"""Failure injection: rules that make the fake misbehave on purpose (see DESIGN.md)."""

from __future__ import annotations

from .engine import FAULT_HEADER, FaultEngine
from .rules import Action, Rule

__all__ = ["FAULT_HEADER", "Action", "FaultEngine", "Rule"]
