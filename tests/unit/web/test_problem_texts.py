"""Every refusal code a portal user can meet has the portal's sentence for people, translated
in every language; an English page keeps the refusal's own, precise, words."""

from __future__ import annotations

from entitle.domain.codes import Code
from entitle.domain.errors import InvalidInput
from entitle.service import translations
from entitle.web.problem_texts import API_ONLY, SENTENCES
from entitle.web.templating import problem_texts, refusal_text


def test_every_code_has_a_portal_sentence_or_is_listed_as_api_only() -> None:
    without = [code.name for code in Code if code.name not in SENTENCES and code not in API_ONLY]
    assert without == []
    assert not [code.name for code in API_ONLY if code.name in SENTENCES]


def test_the_field_codes_of_request_validation_have_sentences() -> None:
    for code in ("MISSING", "STRING_TOO_LONG", "STRING_TOO_SHORT", "INT_PARSING"):
        assert code in SENTENCES
    assert "DATE_FROM_DATETIME_PARSING" in SENTENCES


def test_the_pages_script_gets_the_sentences_in_german_and_japanese_not_in_english() -> None:
    assert problem_texts("en") == {}
    german = problem_texts("de")
    japanese = problem_texts("ja")
    assert german.keys() == japanese.keys() == SENTENCES.keys()
    assert german["LOGIN_FAILED"] == "E-Mail-Adresse oder Passwort ist nicht richtig."
    assert japanese["LOGIN_FAILED"] == "メールアドレスまたはパスワードが正しくありません。"


def test_a_refusal_reads_its_own_message_in_english_and_its_codes_sentence_otherwise() -> None:
    refusal = InvalidInput(Code.PASSWORD_TOO_SHORT, "The password has 5 characters; use 8.")
    assert refusal_text(refusal) == "The password has 5 characters; use 8."
    with translations.writing_in("de"):
        assert refusal_text(refusal) == "Ein Passwort hat mindestens 8 Zeichen."
    with translations.writing_in("ja"):
        assert refusal_text(refusal) == "パスワードは 8 文字以上にしてください。"
    assert refusal_text(None) == ""
