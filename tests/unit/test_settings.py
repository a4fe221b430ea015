"""The server's settings: one field per ENTITLE_* variable, shown masked, checked, documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entitle import settings
from entitle.cli import OPTION_VARIABLES
from entitle.settings import Settings, SettingsError
from entitle.tool.home import VARIABLES as TOOL_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\bENTITLE_[A-Z0-9_]+\b")


@pytest.fixture(autouse=True)
def no_entitle_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(settings.variable(name), raising=False)


def _refusal(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> list[str]:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        settings.current()
    return refused.value.lines


def test_a_malformed_number_names_the_variable_its_value_and_what_it_takes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _refusal(monkeypatch, "ENTITLE_ARGON2_TIME_COST", "abc") == [
        "ENTITLE_ARGON2_TIME_COST is 'abc', not a whole number of at least 1: "
        "correct it, or unset it for the default"
    ]


def test_a_number_under_the_least_allowed_says_the_least(monkeypatch: pytest.MonkeyPatch) -> None:
    [line] = _refusal(monkeypatch, "ENTITLE_ARGON2_MEMORY_KIB", "4")
    assert line.startswith("ENTITLE_ARGON2_MEMORY_KIB is '4', not a whole number of at least 8")


def test_a_flag_that_is_neither_true_nor_false_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    [line] = _refusal(monkeypatch, "ENTITLE_BENCH_ROUTES", "maybe")
    assert "ENTITLE_BENCH_ROUTES is 'maybe', not true or false" in line


def test_a_choice_outside_its_list_names_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _refusal(monkeypatch, "ENTITLE_LOG_FORMAT", "xml") == [
        "ENTITLE_LOG_FORMAT is 'xml', not 'text' or 'json': correct it, or unset it for the default"
    ]


def test_the_log_settings_take_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTITLE_LOG_FORMAT", "JSON")
    monkeypatch.setenv("ENTITLE_LOG_LEVEL", " Warning ")
    found = settings.current()
    assert (found.log_format, found.log_level) == ("json", "warning")


def test_a_database_url_that_is_no_url_is_refused_without_repeating_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [line] = _refusal(monkeypatch, "ENTITLE_DATABASE_URL", "entitle:s3cret@db.internal/entitle")
    assert line.startswith("ENTITLE_DATABASE_URL is not a database URL such as postgresql://")
    assert "s3cret" not in line


def test_every_malformed_value_has_a_line_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTITLE_ARGON2_TIME_COST", "abc")
    monkeypatch.setenv("ENTITLE_BENCH_ROUTES", "maybe")
    with pytest.raises(SettingsError) as refused:
        settings.current()
    assert [line.split()[0] for line in refused.value.lines] == [
        "ENTITLE_ARGON2_TIME_COST",
        "ENTITLE_BENCH_ROUTES",
    ]


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENTITLE_ARGON2_TIME_COST", "")
    monkeypatch.setenv("ENTITLE_ISSUER", "")
    current = settings.current()
    assert current.argon2_time_cost is None
    assert current.issuer == "entitle"


def test_secrets_and_the_password_of_a_database_url_are_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENTITLE_SECRET_KEY", "cookie-secret")
    monkeypatch.setenv("ENTITLE_DATABASE_URL", "postgresql://entitle:pa55@db.internal:5432/e")
    shown = {row.variable: row for row in settings.shown(settings.current())}
    assert shown["ENTITLE_SECRET_KEY"].value == settings.MASK
    assert shown["ENTITLE_DATABASE_URL"].value == (
        f"postgresql://entitle:{settings.MASK}@db.internal:5432/e"
    )
    assert "cookie-secret" not in repr(shown)
    assert "pa55" not in repr(shown)


def test_each_setting_says_whether_the_environment_or_the_default_gave_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENTITLE_ISSUER", "licenses.example.com")
    shown = {row.variable: row for row in settings.shown(settings.current())}
    assert set(shown) == {settings.variable(name) for name in Settings.model_fields}
    assert shown["ENTITLE_ISSUER"].line() == (
        "ENTITLE_ISSUER=licenses.example.com  (source: environment)"
    )
    assert shown["ENTITLE_BENCH_ROUTES"].line() == "ENTITLE_BENCH_ROUTES=false  (source: default)"


def test_a_misspelt_variable_is_named_with_the_setting_it_resembles() -> None:
    assert settings.unknown_variables({"ENTITLE_DATABSE_URL": "x"}) == [
        "ENTITLE_DATABSE_URL is not a setting (did you mean ENTITLE_DATABASE_URL?)"
    ]


def test_a_variable_like_no_setting_says_where_the_settings_are_listed() -> None:
    assert settings.unknown_variables({"ENTITLE_COLOUR": "blue"}) == [
        "ENTITLE_COLOUR is not a setting ('entitle config' lists them)"
    ]


def test_the_variables_of_the_tool_the_tests_and_the_benchmarks_are_not_misspellings() -> None:
    environ = {
        **dict.fromkeys(TOOL_VARIABLES, "x"),
        **dict.fromkeys(settings.OTHER_PROGRAMS, "1"),
        **dict.fromkeys(OPTION_VARIABLES, "x"),
        "ENTITLE_TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1/test",
        "ENTITLE_TEST_MACHINE_NAME": "WS-1",
        "ENTITLE_DATA_DIR": "/srv/entitle",
        "PATH": "/usr/bin",
    }
    assert settings.unknown_variables(environ, known=OPTION_VARIABLES) == []


def _variables_in(path: Path) -> set[str]:
    return set(VARIABLE.findall(path.read_text(encoding="utf-8")))


def test_every_entitle_variable_the_project_reads_is_known_to_the_misspelling_warning() -> None:
    """A new variable of the server is a field; one of another program goes in its list."""
    # Tests that set variables nobody reads, on purpose: misspellings, and one the tool ignores.
    on_purpose = {
        ROOT / "tests/unit/test_settings.py",
        ROOT / "tests/integration/test_cli_config.py",
        ROOT / "tests/unit/tool/test_machine.py",
    }
    files = [ROOT / "Makefile", ROOT / ".ci" / "run"]
    for folder in ("src", "tests", "bench"):
        files += [p for p in (ROOT / folder).rglob("*.py") if p not in on_purpose]
    known = (
        {settings.variable(name) for name in Settings.model_fields}
        | set(TOOL_VARIABLES)
        | set(settings.OTHER_PROGRAMS)
        | set(OPTION_VARIABLES)
    )
    unknown = {
        f"{name} ({path.relative_to(ROOT)})"
        for path in files
        for name in _variables_in(path)
        if name not in known and not name.startswith(settings.TEST_PREFIX)
    }
    assert not unknown


def test_the_tool_lists_every_variable_it_reads() -> None:
    read = set().union(*(_variables_in(p) for p in (ROOT / "src/entitle/tool").rglob("*.py")))
    assert read == set(TOOL_VARIABLES)


def _readme_settings_rows() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Settings\n" in readme
    section = readme.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        found = re.fullmatch(r"\| `(ENTITLE_[A-Z0-9_]+)` \| (.*) \|", line)
        if found:
            rows[found[1]] = found[2]
    return rows


def test_the_readme_settings_table_lists_every_setting_and_nothing_else() -> None:
    expected = {
        settings.variable(name): field.description for name, field in Settings.model_fields.items()
    }
    table = "\n".join(f"| `{name}` | {text} |" for name, text in expected.items())
    assert _readme_settings_rows() == expected, f"README.md, ## Settings, should have:\n{table}"


def test_a_changed_variable_is_seen_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The settings are kept between calls while the ENTITLE_* variables stay as they were.
    monkeypatch.setenv("ENTITLE_ISSUER", "first")
    assert settings.current().issuer == "first"
    assert settings.current() is settings.current()
    monkeypatch.setenv("ENTITLE_ISSUER", "second")
    assert settings.current().issuer == "second"
    monkeypatch.delenv("ENTITLE_ISSUER")
    assert settings.current().issuer == "entitle"
