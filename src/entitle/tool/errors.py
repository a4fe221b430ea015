"""Why the licensing tool refused to do something.

    ToolError(Exception)      a command cannot be carried out; ``code`` is stable
    ├── DamagedStore          the store file is unreadable; moved aside       STORE_DAMAGED
    ├── NotTrusted            no issuer is pinned on this machine             NOT_TRUSTED
    ├── TrustSourceError      a URL or file gave nothing usable to trust      TRUST_SOURCE
    │   └── FingerprintMismatch  a root is not the one the administrator named
    │                                                                        FINGERPRINT_MISMATCH
    ├── NoServer              no license server is known to sync with         NO_SERVER
    ├── UnknownCheckout       no stored license has that checkout id          UNKNOWN_CHECKOUT
    ├── ClockLooksWrong       the clock is behind what the store has seen     CLOCK_WRONG
    ├── ServerUnreachable     the license server could not be reached         OFFLINE
    ├── MachineIdUnavailable  the operating system gives no machine id        NO_MACHINE_ID
    ├── ConfigurationError    the machine-wide configuration is unusable      CONFIGURATION
    ├── NeedsAdministrator    only administrators may write the configuration NEEDS_ADMINISTRATOR
    ├── SignInRefused         the server refused the sign-in or its code      SIGN_IN_REFUSED
    │   ├── SignInDenied      the user denied it in the portal                SIGN_IN_DENIED
    │   └── SignInExpired     nobody approved it in time                      SIGN_IN_EXPIRED
    ├── NotSignedIn           no credential, or the server ended it           NOT_SIGNED_IN
    └── ServerRefused         the license server refused the request         the server's code

License files themselves are refused with :class:`entitle.licensefile.LicenseFileError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entitle.tool.http import HttpAnswer


class ToolError(Exception):
    """A command of the licensing tool cannot be carried out; ``str(error)`` is for people."""

    code = "TOOL_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DamagedStore(ToolError):
    """The store file could not be read; it was kept aside, never emptied."""

    code = "STORE_DAMAGED"

    def __init__(self, path: str, kept_as: str | None, detail: str) -> None:
        kept = f" It was kept as {kept_as}." if kept_as else ""
        super().__init__(f"The license store {path} is damaged ({detail}).{kept}")
        self.path = path
        self.kept_as = kept_as


class NotTrusted(ToolError):
    """No issuer is pinned, by the product or the machine-wide configuration: nothing verifies."""

    code = "NOT_TRUSTED"

    def __init__(self) -> None:
        super().__init__(
            "Nothing is trusted on this machine: no license issuer is pinned, so no license "
            "file can be verified; an administrator pins one with "
            "'entitle-tool trust --system SERVER_URL --fingerprint sha256:...'."
        )


class TrustSourceError(ToolError):
    """A file or URL given to ``trust`` holds nothing usable to trust."""

    code = "TRUST_SOURCE"


class FingerprintMismatch(TrustSourceError):
    """A downloaded root certificate is not the one whose fingerprint the administrator gave."""

    code = "FINGERPRINT_MISMATCH"


class NoServer(ToolError):
    """``sync`` was given no URL and knows no license server."""

    code = "NO_SERVER"

    def __init__(self) -> None:
        super().__init__(
            "No license server is known to sync with: run 'entitle-tool sync SERVER_URL' once."
        )


class UnknownCheckout(ToolError):
    """No stored license has the given checkout id (or the prefix is ambiguous)."""

    code = "UNKNOWN_CHECKOUT"


class ClockLooksWrong(ToolError):
    """The system clock is behind the latest time the store has seen."""

    code = "CLOCK_WRONG"


class ServerUnreachable(ToolError):
    """The license server did not answer (offline, wrong URL, timeout)."""

    code = "OFFLINE"


class MachineIdUnavailable(ToolError):
    """The operating system has no machine id, so this machine has no fingerprint."""

    code = "NO_MACHINE_ID"

    def __init__(self, where: str) -> None:
        super().__init__(
            f"This machine has no machine id ({where} not found or empty), so it has no "
            "fingerprint; ask the system administrator to set one."
        )


class ConfigurationError(ToolError):
    """A machine-wide configuration file cannot be read or says something unusable."""

    code = "CONFIGURATION"


class NeedsAdministrator(ToolError):
    """The machine-wide configuration can be written by administrators only."""

    code = "NEEDS_ADMINISTRATOR"

    def __init__(self, path: str) -> None:
        super().__init__(
            f"Writing {path} needs administrator rights: run the command again as root "
            "(or from an administrator prompt on Windows)."
        )
        self.path = path


class SignInRefused(ToolError):
    """The license server refused ``entitle-tool login`` (an unknown or used code, a server
    without device sign-in)."""

    code = "SIGN_IN_REFUSED"


class SignInDenied(SignInRefused):
    """The user denied the sign-in on the portal's /device page."""

    code = "SIGN_IN_DENIED"

    def __init__(self) -> None:
        super().__init__(
            "The sign-in was denied in the portal; nothing was stored. If you did not deny "
            "it yourself, tell your administrator."
        )


class SignInExpired(SignInRefused):
    """Nobody approved the sign-in before its code expired."""

    code = "SIGN_IN_EXPIRED"

    def __init__(self, server: str) -> None:
        super().__init__(
            "The sign-in code expired before it was approved; run "
            f"'entitle-tool login {server}' again for a new one."
        )


class NotSignedIn(ToolError):
    """No credential is stored for this OS user, or the server no longer accepts it."""

    code = "NOT_SIGNED_IN"


class ServerRefused(ToolError):
    """The license server refused a request (its policy, a checkout not the user's, ...):
    ``code`` is the server's stable code (``SELF_SERVICE_OFF``, ``APPLICATION_EXCLUDED``, ...),
    the message its sentence for people."""

    code = "SERVER_REFUSED"

    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    @classmethod
    def of(cls, answer: HttpAnswer) -> ServerRefused:
        """The refusal a problem+json answer says."""
        code, sentence = problem_sentence(answer)
        return cls(code, sentence, answer.status)


def problem_sentence(answer: HttpAnswer) -> tuple[str, str]:
    """The stable code and the sentence for people of a refusal (problem+json): its
    ``detail``, then what other fields were refused for; ``HTTP <status>`` when it says none."""
    body = answer.json()
    if not isinstance(body, dict):
        return f"HTTP_{answer.status}", f"The license server answered HTTP {answer.status}."
    code = str(body.get("code") or f"HTTP_{answer.status}")
    said = [str(body["detail"])] if isinstance(body.get("detail"), str) else []
    for error in body.get("errors") or ():
        message = error.get("message") if isinstance(error, dict) else None
        if isinstance(message, str) and message not in said:
            said.append(message)
    sentence = " ".join(s.strip() for s in said if s.strip())
    return code, sentence or f"The license server answered HTTP {answer.status}."
