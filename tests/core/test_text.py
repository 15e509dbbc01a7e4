"""One cleaning rule for every text a person types (core.text), and the proof that the web
form, the API and the services agree on it (issue 16)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sinergi.accounts import services as accounts
from sinergi.accounts.models import User
from sinergi.accounts.services import api_token_create
from sinergi.core.models import InstitutionType, Province
from sinergi.core.text import (
    LINE,
    NAME,
    TEXT,
    nik_clean,
    npwp_clean,
    phone_clean,
    text_clean,
)
from sinergi.training.models import Registration

from ..factories import BatchFactory, UserFactory


def _code(callable_, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        callable_(*args, **kwargs)
    return caught.value.code


# --- The rule ------------------------------------------------------------------------------------


def test_unicode_is_stored_in_nfc():
    decomposed = "Jose\u0301 Ramo\u0301n"
    assert unicodedata.is_normalized("NFD", decomposed)
    assert text_clean(decomposed, kind=NAME) == "José Ramón"


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b"])
@pytest.mark.parametrize("kind", [LINE, TEXT, NAME])
def test_control_characters_are_refused(kind, character):
    assert _code(text_clean, f"Siti{character}Aminah", kind=kind) == "control"


def test_tab_and_line_breaks_only_in_text_of_several_lines():
    assert text_clean("satu\r\ndua\tkolom\rtiga", kind=TEXT) == "satu\ndua\tkolom\ntiga"
    assert _code(text_clean, "satu\ndua", kind=LINE) == "control"
    assert _code(text_clean, "satu\tdua", kind=NAME) == "control"


@pytest.mark.parametrize(
    "character",
    [
        *"\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
        *"\u200e\u200f\u200b\u200c\u200d\u2060\ufeff",
    ],
)
def test_names_refuse_bidi_and_zero_width_characters(character):
    assert _code(text_clean, f"Budi{character}Santoso", kind=NAME) == "invisible"
    # Elsewhere (a note, a biography) they are text like any other.
    assert text_clean(f"Budi{character}Santoso", kind=TEXT) == f"Budi{character}Santoso"


def test_a_name_holds_a_letter_and_no_emoji():
    assert _code(text_clean, "\u200b\u200b\u200b", kind=NAME) == "invisible"
    assert _code(text_clean, "123 ...", kind=NAME) == "no_letter"
    assert _code(text_clean, "Budi \U0001f600", kind=NAME) == "symbol"
    assert text_clean("  Dr. Hj. Siti Ma'ruf, M.Hum.  ", kind=NAME) == "Dr. Hj. Siti Ma'ruf, M.Hum."
    assert text_clean("محمد", kind=NAME) == "محمد"


def test_length_is_counted_after_normalising():
    assert text_clean("e\u0301" * 10, kind=NAME, max_length=10) == "é" * 10
    assert _code(text_clean, "a" * 11, kind=LINE, max_length=10) == "too_long"


def test_messages_are_indonesian_by_default():
    with translation.override("id"), pytest.raises(ValidationError) as caught:
        text_clean("Budi\u202eSantoso", kind=NAME)
    assert "U+202E" in caught.value.messages[0]
    assert "karakter" in caught.value.messages[0].lower()


@given(st.text(max_size=60))
def test_whatever_is_typed_is_cleaned_or_refused_with_a_reason(text):
    for kind in (LINE, TEXT, NAME):
        try:
            cleaned = text_clean(text, kind=kind, max_length=50)
        except ValidationError as error:
            assert error.code in {"control", "invisible", "symbol", "no_letter", "too_long"}
        else:
            assert unicodedata.is_normalized("NFC", cleaned)
            assert "\x00" not in cleaned and len(cleaned) <= 50


# --- Numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("+62 (22) 2013163", "+62222013163"),
        ("(022) 201-3163", "+62222013163"),
        ("+44 20 7946 0958", "+442079460958"),
        ("", ""),
    ],
)
def test_phones_are_stored_in_one_form(typed, stored):
    assert phone_clean(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["0812", "1", "812345678", "+62 0812 3456 7890", "0812345678901234", "08１2 3456 ٧٨٩", "a"],
)
def test_what_is_no_phone_number_is_refused(typed):
    assert _code(phone_clean, typed) == "phone"


def test_nik_and_npwp_by_stdnum():
    assert nik_clean("3273014506900002") == "3273014506900002"
    assert _code(nik_clean, "3273013206900002") == "nik"  # day 32 of June
    assert _code(nik_clean, "9973014506900002") == "nik"  # no province 99
    assert npwp_clean("01.234.567.4-901.000") == "012345674901000"
    assert _code(npwp_clean, "01.234.567.8-901.000") == "npwp"  # the check digit
    assert npwp_clean("") == ""


# --- The same rule through the form, the API and imports ---------------------------------------


def _profile(**changes):
    data = {
        "full_name": "Siti Aminah",
        "institution_name": "Perpustakaan SMA Negeri 1 Garut",
        "institution_type": InstitutionType.objects.get(slug="school").pk,
        "position": "Pustakawan",
        "province": Province.objects.get(code="32").pk,
        "phone": "081234567890",
        "nip": "",
        "language": "id",
        "nik": "",
    }
    return {**data, **changes}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("full_name", "Budi\x07\x1b"),
        ("full_name", "\u200b\u200b\u200b"),
        ("full_name", "Budi\u202eosotnaS"),
        ("institution_name", "Perpus\u200dtakaan"),
        ("position", "Kepala\x1b"),
        ("nik", "3273013206900002"),
    ],
)
def test_the_profile_form_refuses_on_the_field(client, field, value):
    user = UserFactory(roles=["participant"], full_name="Siti Aminah")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), _profile(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    user.refresh_from_db()
    assert (user.full_name, user.nik_masked) == ("Siti Aminah", "")


@pytest.mark.django_db
def test_the_service_refuses_what_the_form_refuses():
    user = UserFactory(roles=["participant"])
    with pytest.raises(ValidationError) as caught:
        accounts.user_update_profile(
            user=user, actor=user, full_name="A\x07", institution_name="X\u202e", phone="0812"
        )
    assert set(caught.value.message_dict) == {"full_name", "institution_name", "phone"}


@pytest.mark.django_db
def test_sign_up_refuses_an_invisible_name(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "full_name": "\u200b\u200b\u200b",
            "email": "baru@example.id",
            "password1": "kata-sandi-panjang-7",
            "password2": "kata-sandi-panjang-7",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    assert "full_name" in response.context["form"].errors
    assert not User.objects.filter(email="baru@example.id").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("institution_name", "SMAN\u202e 1"), ("institution_name", "\u200b"), ("phone", "0812")],
)
def test_the_api_refuses_what_the_form_refuses(client, field, value):
    """Issue 16: the API stored phones and institution names the web form refused."""
    batch = BatchFactory()
    user = UserFactory(roles=["participant"])
    _token, raw = api_token_create(user=user, name="t")
    response = client.post(
        f"/api/v1/batches/{batch.pk}/registrations",
        {"consent": True, "position": "Pustakawan", "province": "32", field: value},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422, response.content
    details = response.json()["details"]
    assert [item["field"] for item in details] == [field]
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_group_import_line_with_an_invisible_name_names_the_line(client):
    batch = BatchFactory()
    contact = UserFactory(roles=["participant"])
    client.force_login(contact)
    response = client.post(
        reverse("training:group_register", args=[batch.pk]),
        {
            "institution_name": "Perpustakaan Daerah",
            "province": Province.objects.get(code="32").pk,
            "members": "a@example.id; Ani Suryani\nb@example.id; Budi\u202e",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("members", []))
    assert "2" in errors and "U+202E" in errors
    assert not Registration.objects.exists()
