"""A checkout's id is a UUID version 7: unguessable, and in the order checkouts were made."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from entitle.service.create_checkout import checkout_id

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_an_id_is_a_version_7_uuid_that_carries_its_millisecond() -> None:
    made = uuid.UUID(checkout_id(AT))
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert made.int >> 80 == int(AT.timestamp() * 1000)


def test_ids_sort_as_they_were_made_and_never_repeat() -> None:
    moments = [AT + timedelta(milliseconds=n) for n in range(0, 5000, 7)]
    ids = [checkout_id(moment) for moment in moments]
    assert ids == sorted(ids)
    same_moment = {checkout_id(AT) for _ in range(10_000)}
    assert len(same_moment) == 10_000
