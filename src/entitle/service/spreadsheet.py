"""Cells of the CSV files the server writes, as a spreadsheet will open them."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): such text gets a '."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text
