"""E-mail through a real local SMTP server (aiosmtpd): the expiry reminder reaches the
checkout's user and the Administrators with the user, machine, applications and expiry, each
in the language they chose (else English); a check-in is confirmed to the user; without
ENTITLE_SMTP_URL nothing is written."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from entitle.service import account, mail
from entitle.service.check_in import check_in
from entitle.service.create_checkout import create_checkout
from entitle.service.time_events import produce_time_events
from entitle.store import organisations
from entitle.store.tables import email_messages
from tests.integration.events.conftest import Inbox
from tests.integration.events.helpers import ses
from tests.integration.fixtures import World

LEASE = timedelta(seconds=15)


def _english(day: date) -> str:
    """A day as an English e-mail writes it: Dec 8, 2026."""
    return f"{day:%b} {day.day}, {day.year}"


def _send(world: World) -> None:
    while mail.send_due(world.services, lease=LEASE, timeout=5):
        pass


def test_the_expiry_reminder_reaches_the_user_and_the_administrators(
    world: World, inbox: Inbox
) -> None:
    today = world.clock.now.date()
    made = create_checkout(world.services, world.admin, ses("WS-7", today + timedelta(days=10)))
    world.clock.advance(days=4, hours=13)  # a week before its end
    produce_time_events(world.services)
    _send(world)
    assert sorted(to for to, _ in inbox.messages) == [["admin@example.com"], ["ana@example.com"]]
    _, sent = inbox.messages[0]
    assert sent["From"] == "licenses@northwind.example"
    ends = _english(today + timedelta(days=10))
    assert sent["Subject"] == f"License checkout for WS-7 expires {ends}"
    text = sent.get_body(("plain",))
    html = sent.get_body(("html",))
    assert text is not None
    assert html is not None
    body = text.get_content()
    for expected in ("ana@example.com", "WS-7", "Atlas Designer 10.17.2.61", made.id):
        assert expected in body
        assert expected in html.get_content()
    assert f"Valid through: {ends} (UTC)" in body

    produce_time_events(world.services)  # told once: nothing more
    _send(world)
    assert len(inbox.messages) == 2


def test_a_check_in_is_confirmed_to_the_user(world: World, inbox: Inbox) -> None:
    made = create_checkout(world.services, world.admin, ses("WS-8"))
    check_in(world.services, world.admin, made.id)
    _send(world)
    ((to, sent),) = inbox.messages
    assert to == ["ana@example.com"]
    assert sent["Subject"] == "License checkout for WS-8 checked in"


def test_without_an_smtp_server_no_email_is_written(world: World) -> None:
    made = create_checkout(world.services, world.admin, ses("WS-9"))
    check_in(world.services, world.admin, made.id)
    with world.services.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(email_messages)).scalar_one() == 0


def test_each_recipient_reads_the_reminder_in_their_own_language(
    world: World, inbox: Inbox
) -> None:
    for email, language in (("ana@example.com", "de"), ("admin@example.com", "ja")):
        with world.services.uow(read_only=True) as uow:
            user = organisations.user_by_email(uow.conn, email)
        assert user is not None
        account.set_language(world.services, user, language)
    ends = world.clock.now.date() + timedelta(days=10)
    create_checkout(world.services, world.admin, ses("WS-7", ends))
    world.clock.advance(days=4, hours=13)
    produce_time_events(world.services)
    _send(world)
    sent = {to[0]: message for to, message in inbox.messages}
    german, japanese = sent["ana@example.com"], sent["admin@example.com"]
    assert german["Subject"] == f"Lizenz-Checkout für WS-7 läuft am {ends:%d.%m.%Y} ab"
    german_body = german.get_body(("plain",))
    assert german_body is not None
    assert "Dieser Lizenz-Checkout läuft bald ab" in german_body.get_content()
    assert f"Gültig bis einschließlich: {ends:%d.%m.%Y} (UTC)" in german_body.get_content()
    assert japanese["Subject"] == (
        f"WS-7 のライセンスチェックアウトは {ends:%Y/%m/%d} に期限切れになります"
    )
    japanese_html = japanese.get_body(("html",))
    assert japanese_html is not None
    assert "<th align='left'>マシン</th><td>WS-7</td>" in japanese_html.get_content()
