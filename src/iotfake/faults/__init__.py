"""Failure injection: rules that make the fake misbehave on purpose (see DESIGN.md)."""

from __future__ import annotations

from .engine import FaultEngine

__all__ = ["FaultEngine"]
