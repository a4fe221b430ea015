import pytest
from hypothesis import given
from hypothesis import strategies as st

from entitle.domain import names
from entitle.domain.errors import InvalidInput
from entitle.domain.versions import Version, closest


@pytest.mark.parametrize("name", ["WS-0042", "a", "pc1", "X" * 63, "Lab-PC-7"])
def test_machine_names_people_use_are_accepted(name: str) -> None:
    assert names.machine_name(f" {name} ") == name


@pytest.mark.parametrize("name", ["", "1234", "X" * 64, "my pc", "ws.example.com", "-ws", "ws_1"])
def test_bad_machine_names_are_refused_with_a_hint(name: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        names.machine_name(name)
    assert refusal.value.field == "machine"
    assert "1 to 63 letters, digits and hyphens" in refusal.value.message


def test_machine_names_compare_case_insensitively() -> None:
    assert names.machine_key("ws-1") == names.machine_key("WS-1")


def test_a_typed_machine_name_is_read_as_licenses_compare_it() -> None:
    assert names.machine_name("\uff37\uff33-0042") == "WS-0042"  # full-width, NFKC to ASCII
    with pytest.raises(InvalidInput):
        names.machine_name("WS-\u0130")  # not ASCII after NFKC
    assert names.machine_key("W\u017f-1") == "WS-1"
    assert names.machine_key("WS-\u0130") != names.machine_key("WS-I")


def test_email_domain_is_lowercased_and_bad_ones_refused() -> None:
    assert names.email("Ana@Example.COM") == "Ana@example.com"
    with pytest.raises(InvalidInput):
        names.email("not-an-email")


def test_versions_compare_numerically() -> None:
    assert Version.parse("10.17.02.61") == Version.parse("10.17.2.61")
    assert Version.parse("10.9") < Version.parse("10.10")
    assert str(Version.parse("010.0.1")) == "10.0.1"


@pytest.mark.parametrize("text", ["", "10.", "a.b", "1..2", "1.2.3.4.5.6.7"])
def test_malformed_versions_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        Version.parse(text)


@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=6),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=6),
)
def test_sort_key_orders_like_the_version(a: list[int], b: list[int]) -> None:
    va, vb = Version(tuple(a)), Version(tuple(b))
    assert (va < vb) == (va.sort_key < vb.sort_key)


def test_closest_versions_prefer_what_was_typed_as_a_prefix() -> None:
    released = [Version.parse(v) for v in ["10.17.2.61", "10.17.1.5", "10.16.0.1", "9.0.0.1"]]
    assert closest("10.17", released)[:2] == ["10.17.2.61", "10.17.1.5"]
