"""Readers never queue behind a writer, and only writers keep anything."""

from __future__ import annotations

import threading

import pytest

from entitle.service.create_checkout import create_checkout
from entitle.service.queries import list_checkouts
from entitle.store import audit
from entitle.store.checkouts import CheckoutQuery
from tests.integration.fixtures import World
from tests.integration.test_checkout_service import ses


def test_a_list_answers_while_a_create_holds_the_write_lock(world: World) -> None:
    made = create_checkout(world.services, world.admin, ses())
    answers: list[list[str]] = []
    with world.services.uow() as writer:
        # An uncommitted write: on SQLite this transaction holds the database's write lock.
        audit.record(writer.conn, None, world.clock.now, world.admin, "test.write")
        reader = threading.Thread(
            target=lambda: answers.append(
                [c.id for c in list_checkouts(world.services, world.admin, CheckoutQuery(0)).items]
            )
        )
        reader.start()
        reader.join(timeout=5)
        finished = not reader.is_alive()
    reader.join()
    assert finished, "the list waited for the writer's lock"
    assert answers == [[made.id]]


def test_a_read_only_unit_of_work_refuses_to_commit(world: World) -> None:
    with world.services.uow(read_only=True) as uow, pytest.raises(RuntimeError, match="read-only"):
        uow.commit()
