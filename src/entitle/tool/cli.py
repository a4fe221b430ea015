"""``entitle-tool``: the workstation licensing tool.

``check`` runs at every product start, so it is answered before the command-line library
(and everything else not needed to verify a ``.belic`` file) is imported.
"""

from __future__ import annotations

import sys

from entitle.tool.check import check

USAGE_ERROR = 2


def main(argv: list[str] | None = None) -> int:
    """Run the tool with ``argv`` (default: the process arguments); the exit status."""
    args = sys.argv[1:] if argv is None else list(argv)
    quick = parse_check(args)
    if quick is not None:
        return run_check(*quick)
    from entitle.tool.commands import cli

    try:
        cli.main(args=args, prog_name="entitle-tool")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def parse_check(args: list[str]) -> tuple[str, str] | None:
    """``(app, version)`` of a plain ``check --app A --version V``; None for anything else."""
    if not args or args[0] != "check":
        return None
    values: dict[str, str] = {}
    rest = iter(args[1:])
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name not in ("--app", "--version") or name in values:
            return None
        if not equals:
            value = next(rest, "")
        if not value or value.startswith("-"):
            return None
        values[name] = value
    if len(values) != 2:
        return None
    return values["--app"], values["--version"]


def run_check(application: str, version: str) -> int:
    """Print the answer of :func:`entitle.tool.check`; 0 when the application may run."""
    result = check(application, version)
    if result.ok:
        print(result.message)
        return 0
    print(f"Not licensed ({result.reason}): {result.message}", file=sys.stderr)
    return 1
