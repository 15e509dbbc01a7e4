import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from sinergi.accounts import services
from sinergi.accounts.models import User
from sinergi.core.models import AuditLog, InstitutionType, Province

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

NIK = "3273014506900002"
# Session, user, roles, the two choice lists, tokens. Raise only with a reason.
PROFILE_PAGE_QUERIES = 6


def profile_data(**changes) -> dict:
    data = {
        "full_name": "Dra. Euis Komalasari, M.Hum.",
        "institution_name": "Perpustakaan SMA Negeri 1 Garut",
        "institution_type": InstitutionType.objects.get(slug="school").pk,
        "position": "Kepala Perpustakaan",
        "province": Province.objects.get(code="32").pk,
        "phone": "0812-3456 7890",
        "nip": "198705122010012003",
        "language": "id",
        "nik": "",
    }
    return {**data, **changes}


def test_profile_needs_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_profile_edit_saves_normalised_values_and_audits(user_client, user):
    response = user_client.post(reverse("accounts:profile"), profile_data())

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.full_name == "Dra. Euis Komalasari, M.Hum."
    assert user.phone == "+6281234567890"
    assert user.nip == "198705122010012003"
    assert user.province.code == "32"
    assert user.institution_type.slug == "school"
    row = AuditLog.objects.get(verb="accounts.profile_updated")
    assert row.actor == user
    assert row.target_id == str(user.pk)
    assert set(row.data["fields"]) == {
        "full_name",
        "institution_name",
        "institution_type",
        "position",
        "province",
        "phone",
        "nip",
    }


@pytest.mark.parametrize(
    "given, stored",
    [
        ("081234567890", "+6281234567890"),
        ("+62 812-3456-7890", "+6281234567890"),
        ("62 (22) 2013163", "+62222013163"),
        ("", ""),
    ],
)
def test_phone_is_normalised_to_plus_62(user_client, user, given, stored):
    response = user_client.post(reverse("accounts:profile"), profile_data(phone=given))
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone == stored


@pytest.mark.parametrize("phone", ["12345", "0812abc4567", "8123456789"])
def test_bad_phone_is_refused(user_client, user, phone):
    response = user_client.post(reverse("accounts:profile"), profile_data(phone=phone))
    assert response.status_code == 200
    assert response.context["form"].has_error("phone", code="phone")
    user.refresh_from_db()
    assert user.phone == ""


@pytest.mark.parametrize("nip", ["19870512201001200", "1987051220100120031", "19870512201001200x"])
def test_nip_must_have_18_digits(user_client, user, nip):
    response = user_client.post(reverse("accounts:profile"), profile_data(nip=nip))
    assert response.status_code == 200
    assert response.context["form"].has_error("nip", code="nip")
    user.refresh_from_db()
    assert user.nip == ""
    assert not AuditLog.objects.filter(verb="accounts.profile_updated").exists()


def test_nip_spaces_are_removed(user_client, user):
    user_client.post(reverse("accounts:profile"), profile_data(nip="19870512 201001 2 003"))
    user.refresh_from_db()
    assert user.nip == "198705122010012003"


@pytest.mark.parametrize("nik", ["327301450690000", "32730145069000021", "32730145069000a2"])
def test_nik_must_have_16_digits(user_client, user, nik):
    response = user_client.post(reverse("accounts:profile"), profile_data(nik=nik))
    assert response.status_code == 200
    assert "nik" in response.context["form"].errors
    user.refresh_from_db()
    assert user.nik_masked == ""


def test_nik_is_stored_only_masked(user_client, user):
    response = user_client.post(reverse("accounts:profile"), profile_data(nik=NIK))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.nik_masked == "327301********02"
    row = User.objects.filter(pk=user.pk).values().get()
    assert not [name for name, value in row.items() if NIK in str(value)]
    audit = AuditLog.objects.get(verb="accounts.profile_updated")
    assert "nik_masked" in audit.data["fields"]
    assert NIK not in str(model_to_dict(audit))
    # Nowhere else either: not in any table the project writes.
    response = user_client.get(reverse("accounts:profile"))
    assert NIK not in response.content.decode()
    assert "327301********02" in response.content.decode()


def test_nik_is_in_no_table(user_client, user, capsys):
    user_client.post(reverse("accounts:profile"), profile_data(nik=NIK))
    call_command("dumpdata", "--exclude", "contenttypes", "--exclude", "auth.permission")
    dump = capsys.readouterr().out
    assert user.email in dump  # the dump did include the accounts
    assert NIK not in dump


def test_empty_nik_keeps_the_stored_one(user_client, user):
    user_client.post(reverse("accounts:profile"), profile_data(nik=NIK))
    user_client.post(reverse("accounts:profile"), profile_data(position="Pustakawan"))
    user.refresh_from_db()
    assert user.nik_masked == "327301********02"
    assert user.position == "Pustakawan"


def test_saving_nothing_new_writes_no_audit_row(user):
    data = {name: getattr(user, name) for name in services.PROFILE_FIELDS}
    services.user_update_profile(user=user, actor=user, **data)
    assert not AuditLog.objects.filter(verb="accounts.profile_updated").exists()


def test_changing_language_in_profile_switches_the_interface(user_client, user):
    response = user_client.post(reverse("accounts:profile"), profile_data(language="en"))
    assert response.cookies["django_language"].value == "en"
    response = user_client.get(reverse("accounts:profile"))
    assert '<html lang="en"' in response.content.decode()


def test_profile_page_query_count_is_pinned(client, django_assert_max_num_queries):
    user = UserFactory(roles=["participant", "speaker"])
    for name in ("Sistem A", "Sistem B", "Sistem C"):
        services.api_token_create(user=user, name=name)
    client.force_login(user)
    with django_assert_max_num_queries(PROFILE_PAGE_QUERIES):
        response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
