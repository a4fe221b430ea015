"""The portal's JavaScript shows no English of its own: text a person reads goes through t() or
tn() from i18n.js, so German and Japanese pages are German and Japanese throughout.

The check reads each module's string and template literals (comments and regular expressions
left out) and names the likely untranslated ones: literal words given to `textContent`,
`innerText`, `title`, `placeholder`, `aria-label`, a notification, an <option> or a column's
title, and words between HTML tags inside a literal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[3] / "src" / "entitle" / "web" / "static" / "js"

# Modules whose text is still being marked; empty this list as each one is done.
PENDING: frozenset[str] = frozenset()

MARK = "\x01"
# Where a regular expression may start: after these, `/` is not a division.
REGEX_AFTER = set("(,=:[!&|?{};+-*%<>~^") | {""}
REGEX_AFTER_WORDS = {"return", "typeof", "case", "of", "in", "void", "delete", "throw"}
WORDS = re.compile(r"[^\W\d_]{2,}")
HTML_TEXT = re.compile(r">([^<>]*)<")
ENTITY = re.compile(r"&#?\w+;")
TAG = re.compile(r"<[^<>]*>")


@dataclass
class Literal:
    text: str  # a template literal's ${…} parts are left out
    line: int
    in_template: bool = False  # the message of a t() or tn() inside a template's ${…}


@dataclass
class Scanned:
    code: str  # the source with each literal replaced by MARK + its index + MARK
    literals: list[Literal]


def _scan(source: str, literals: list[Literal], start: int = 0, stop: str = "") -> tuple[str, int]:
    """Code from `start` until an unmatched `stop` (a template's `}`); literals are collected."""
    out: list[str] = []
    depth = 0
    i = start
    while i < len(source):
        c = source[i]
        if stop and c == "}" and depth == 0:
            return "".join(out), i + 1
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = len(source) if i < 0 else i
            continue
        if source.startswith("/*", i):
            i = source.index("*/", i) + 2
            continue
        if c in "\"'":
            end = i + 1
            while source[end] != c:
                end += 2 if source[end] == "\\" else 1
            out.append(_mark(literals, source[i + 1 : end], source, i))
            i = end + 1
            continue
        if c == "`":
            i = _template(source, i, literals, out)
            continue
        if c == "/" and _regex_may_start("".join(out)):
            i = _skip_regex(source, i)
            out.append("/re/")
            continue
        out.append(c)
        i += 1
    return "".join(out), i


def _mark(literals: list[Literal], text: str, source: str, at: int) -> str:
    literals.append(Literal(text, source.count("\n", 0, at) + 1))
    return f"{MARK}{len(literals) - 1}{MARK}"


def _template(source: str, i: int, literals: list[Literal], out: list[str]) -> int:
    parts: list[str] = []
    expressions: list[str] = []
    j = i + 1
    while source[j] != "`":
        if source[j] == "\\":
            parts.append(source[j : j + 2])
            j += 2
        elif source.startswith("${", j):
            code, j = _scan(source, literals, j + 2, stop="}")
            for match in re.finditer(rf"\btn?\(\s*{L}", code):
                literals[int(match.group(1))].in_template = True
            expressions.append(code)
            parts.append("{}")
        else:
            parts.append(source[j])
            j += 1
    out.append(_mark(literals, "".join(parts), source, i))
    out.append("".join(f"({e})" for e in expressions))
    return j + 1


def _regex_may_start(code: str) -> bool:
    before = code.rstrip()
    if not before or before[-1] in REGEX_AFTER:
        return True
    word = re.search(r"(\w+)$", before)
    return word is not None and word.group(1) in REGEX_AFTER_WORDS


def _skip_regex(source: str, i: int) -> int:
    j = i + 1
    in_class = False
    while source[j] != "/" or in_class:
        if source[j] == "\\":
            j += 1
        elif source[j] == "[":
            in_class = True
        elif source[j] == "]":
            in_class = False
        j += 1
    j += 1
    while j < len(source) and source[j].isalpha():
        j += 1
    return j


def scan(source: str) -> Scanned:
    literals: list[Literal] = []
    code, _ = _scan(source, literals)
    return Scanned(code, literals)


L = f"{MARK}(\\d+){MARK}"
SINKS = [
    re.compile(rf"\.(?:textContent|innerText|title|placeholder|ariaLabel)\s*=\s*{L}"),
    re.compile(rf"\.(?:textContent|innerText|title|placeholder)\s*=[^;]*?\?\s*{L}"),
    re.compile(rf"\.(?:textContent|innerText|title|placeholder)\s*=[^;]*?\?[^;:]*:\s*{L}"),
    re.compile(rf"setAttribute\(\s*{L}\s*,\s*{L}"),
    re.compile(rf"\b(?:notify|onError|textButton|new Option)\(\s*{L}"),
    re.compile(rf"\bbutton\(\s*{L}\s*,\s*{L}"),
    re.compile(rf"\b(?:title|label|placeholder|empty):\s*{L}"),
]
ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description"}
TRANSLATED = [re.compile(rf"\bt\(\s*{L}"), re.compile(rf"\btn\(\s*{L}\s*,\s*{L}")]


def _has_words(text: str) -> bool:
    """Words outside HTML tags, placeholders ({}) and entities."""
    return bool(WORDS.search(ENTITY.sub(" ", TAG.sub(" ", text.replace("{}", " ")))))


def untranslated(source: str) -> list[str]:
    """`line: text` of each literal in `source` that a person would likely read in English."""
    scanned = scan(source)
    marked = {int(i) for p in TRANSLATED for m in p.finditer(scanned.code) for i in m.groups()}
    found: dict[int, str] = {}
    for pattern in SINKS:
        for match in pattern.finditer(scanned.code):
            indexes = [int(i) for i in match.groups()]
            if pattern.pattern.startswith("setAttribute"):
                if scanned.literals[indexes[0]].text not in ATTRIBUTES:
                    continue
                indexes = indexes[1:]
            elif pattern.pattern.startswith("\\bbutton"):
                indexes = indexes[1:]  # the first is the class name
            for index in indexes:
                if index not in marked and _has_words(scanned.literals[index].text):
                    found[index] = scanned.literals[index].text
    for index, literal in enumerate(scanned.literals):
        if literal.in_template:
            # Extraction does not read inside a template literal: the catalog would lack it.
            found[index] = f"t() inside a template literal, not extracted: {literal.text}"
        if index in marked:
            continue
        if any(_has_words(text) for text in HTML_TEXT.findall(literal.text)):
            found[index] = literal.text
    return [f"{scanned.literals[i].line}: {text}" for i, text in sorted(found.items())]


MODULES = sorted(path.name for path in JS.glob("*.js"))


@pytest.mark.parametrize("name", [n for n in MODULES if n not in PENDING])
def test_a_module_shows_no_english_of_its_own(name: str) -> None:
    found = untranslated((JS / name).read_text(encoding="utf-8"))
    assert not found, f"{name} shows text not marked with t() or tn(): {found}"


def test_every_pending_module_is_still_there() -> None:
    assert set(MODULES) >= PENDING, f"not modules any more: {sorted(PENDING - set(MODULES))}"


@pytest.mark.parametrize(
    "source",
    [
        'element.textContent = "Saved.";',
        "box.title = `Filter ${title}`;",
        'note.textContent = ok ? "Done." : t("Not done.");',
        'button.setAttribute("aria-label", "Remove the line");',
        'holder.append(button("icon-button", "Check in", CHECK_IN, onClick));',
        "notify(`Downloaded ${file}.`);",
        'const columns = [{ title: "User", field: "user" }];',
        "holder.innerHTML = `<p>${count} rows</p>`;",
        "const empty = '<span class=\"grid-empty\">No checkouts</span>';",
        "const x = a.replace(/[<>\"']/g, ''); input.placeholder = 'Version';",
        'holder.innerHTML = `<p>${t("Notes")}</p>`;',
    ],
)
def test_english_text_a_person_reads_is_found(source: str) -> None:
    assert untranslated(source)


@pytest.mark.parametrize(
    "source",
    [
        'element.textContent = t("Saved.");',
        'note.textContent = ok ? "" : t("Not done.");',
        'const rows = tn("{count} row", "{count} rows", n);',
        "holder.innerHTML = `<p>${rows}</p>`;",
        'button.setAttribute("aria-expanded", "false");',
        "const safe = String(text).replace(/[&<>\"']/g, (c) => `&#${c.charCodeAt(0)};`);",
        "if (a < b && c > d) total = `${first}-${last}`;",
        'const options = [["SES", "SES"]]; // "Any" text in a comment is not shown',
        'cell.innerHTML = `<span class="clip" title="${safe}">${safe}</span>`;',
    ],
)
def test_marked_text_and_code_are_not_taken_for_english(source: str) -> None:
    assert untranslated(source) == []
