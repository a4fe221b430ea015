"""Fuzz sizes: a share in ``make test``, the full volume under ``make soak``."""

from __future__ import annotations

import os

SOAK = os.environ.get("ENTITLE_SOAK") == "1"
SCALE = 4 if SOAK else 1
SEED = int(os.environ.get("ENTITLE_FUZZ_SEED", "20261128"))
