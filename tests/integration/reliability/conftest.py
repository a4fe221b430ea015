from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.reliability.deployment import Deployment, prepare


@pytest.fixture
def deployment(database_url: str, tmp_path: Path) -> Iterator[Deployment]:
    """A migrated database with the test organisations, and signing keys in ``tmp_path``."""
    found = prepare(tmp_path / "data", database_url)
    yield found
    found.services.engine.dispose()
