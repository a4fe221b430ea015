"""Text searched with SQL LIKE, its wildcards taken literally."""

from __future__ import annotations


def escape_like(text: str) -> str:
    """``text`` for a LIKE pattern with ``escape="\\\\"``: ``%`` and ``_`` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
