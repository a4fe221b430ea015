"""E-mail: which events write to whom, what the message says (plain text and HTML), and the
sending through the SMTP server of ``ENTITLE_SMTP_URL`` (none: no e-mail at all).

* ``checkout.expiring``: to the checkout's user and the organisation's active Administrators;
* ``checkout.checked_in``: a confirmation to the checkout's user;
* ``webhook.disabled``: to the Administrators;
* ``usage.alert``: to the Administrators.

Who receives is the organisation's choice (its notification settings). The messages are
written with their event, in its transaction, and sent by the events worker, retried on the
webhooks' schedule.
"""

from __future__ import annotations

import html
import smtplib
import ssl
import urllib.parse
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Connection

from entitle import settings
from entitle.domain.events import EventType
from entitle.domain.languages import DEFAULT
from entitle.domain.webhooks import retry_after
from entitle.service import translations
from entitle.service.context import Services
from entitle.service.translations import _
from entitle.store import mail as store
from entitle.store.mail import Mail

BATCH = 20


def enabled() -> bool:
    return settings.current().smtp_url is not None


def queue_for(
    conn: Connection,
    organisation_id: int,
    event_id: str,
    type_: str,
    data: dict[str, Any],
    at: datetime,
) -> None:
    """Write the e-mails the event asks for, when the server sends e-mail."""
    if not enabled():
        return
    mails = compose(conn, organisation_id, type_, data)
    store.queue(conn, organisation_id, event_id, mails, at)


def compose(conn: Connection, organisation_id: int, type_: str, data: dict[str, Any]) -> list[Mail]:
    """The e-mails of the event, each in its recipient's own language (else English)."""
    to_users, administrators = store.recipients(conn, organisation_id)
    checkout = data.get("checkout")
    recipients: list[str] = []
    if type_ == EventType.CHECKOUT_EXPIRING and checkout:
        recipients = ([checkout["user"]] if to_users else []) + [
            a for a in administrators if a != checkout["user"]
        ]
    elif type_ == EventType.CHECKOUT_CHECKED_IN and checkout and to_users:
        recipients = [checkout["user"]]
    elif type_ in (EventType.WEBHOOK_DISABLED, EventType.USAGE_ALERT):
        recipients = administrators
    chosen = store.languages_of(conn, recipients)
    mails = []
    for recipient in recipients:
        with translations.writing_in(chosen.get(recipient.lower()) or DEFAULT):
            mails.append(_written(recipient, type_, data))
    return mails


def _written(recipient: str, type_: str, data: dict[str, Any]) -> Mail:
    """The event's e-mail to ``recipient``, in the language being written."""
    checkout = data.get("checkout") or {}
    if type_ == EventType.CHECKOUT_EXPIRING:
        return _mail(
            recipient,
            _(
                "License checkout for %(machine)s expires %(day)s",
                machine=checkout["machine"],
                day=_day(checkout["expires_at"]),
            ),
            _("This license checkout expires soon; renew it or check it in."),
            _checkout_lines(checkout),
        )
    if type_ == EventType.CHECKOUT_CHECKED_IN:
        return _mail(
            recipient,
            _("License checkout for %(machine)s checked in", machine=checkout["machine"]),
            _("This license checkout is checked in: its licenses are free for others."),
            _checkout_lines(checkout),
        )
    if type_ == EventType.WEBHOOK_DISABLED:
        return _mail(
            recipient,
            _("A webhook endpoint is disabled"),
            _(
                "Deliveries to this endpoint failed for about a day, so it is disabled: mend "
                "the receiver, then enable it on the Webhooks page to resume them."
            ),
            [(_("Endpoint"), str(data["endpoint"]["url"])), (_("Why"), str(data["reason"]))],
        )
    return _mail(
        recipient,
        _("Usage alert: %(headline)s", headline=data["headline"]),
        _("A usage alert's threshold is crossed."),
        [(_("Usage"), str(data["summary"]))],
    )


def _day(moment: str) -> str:
    """The day a license file is valid through (its expiry is the next midnight, UTC), as the
    language being written writes a date."""
    expiry = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return translations.format_date((expiry - timedelta(seconds=1)).date())


def _checkout_lines(checkout: dict[str, Any]) -> list[tuple[str, str]]:
    applications = ", ".join(f"{a['application']} {a['version']}" for a in checkout["applications"])
    return [
        (_("User"), checkout["user"]),
        (_("Machine"), checkout["machine"]),
        (_("Applications"), applications),
        (_("Country"), checkout["country"]),
        (_("Valid through"), _("%(day)s (UTC)", day=_day(checkout["expires_at"]))),
        (_("Checkout"), checkout["id"]),
    ]


def _mail(recipient: str, subject: str, lead: str, lines: list[tuple[str, str]]) -> Mail:
    text = "\n".join([lead, "", *(f"{k}: {v}" for k, v in lines), "", "-- entitle"])
    rows = "".join(
        f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
        for k, v in lines
    )
    body = f"<p>{html.escape(lead)}</p><table>{rows}</table><p>-- entitle</p>"
    return Mail(recipient, subject[:500], text, f"<!doctype html><html><body>{body}</body></html>")


def message(mail: Mail, sender: str) -> EmailMessage:
    made = EmailMessage()
    made["From"] = sender
    made["To"] = mail.recipient
    made["Subject"] = mail.subject
    made.set_content(mail.text)
    made.add_alternative(mail.html, subtype="html")
    return made


def smtp_send(url: str, made: EmailMessage, timeout: float) -> None:
    """Send through the server of ``url`` (smtp:// with STARTTLS when offered, or smtps://)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "localhost"
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=timeout)
    with client:
        client.ehlo()
        if parts.scheme != "smtps" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(
                urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
            )
        client.send_message(made)


def send_due(services: Services, *, lease: timedelta, timeout: float) -> int:
    """Send a batch of due e-mails; answers how many were taken."""
    configured = settings.current()
    if configured.smtp_url is None:
        return 0
    url = configured.smtp_url.get_secret_value()
    with services.uow(read_only=True) as uow:
        if not store.any_due(uow.conn, services.now()):
            return 0
    with services.uow() as uow:
        claimed = store.claim_due(uow.conn, services.now(), BATCH, lease)
        uow.commit()
    for queued in claimed:
        error: str | None = None
        try:
            smtp_send(url, message(queued.mail, configured.mail_from), timeout)
        except (OSError, smtplib.SMTPException) as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        now = services.now()
        delay = None if error is None else retry_after(queued.attempts + 1)
        with services.uow() as uow:
            store.record(uow.conn, queued.id, now, error, None if delay is None else now + delay)
            uow.commit()
    return len(claimed)
