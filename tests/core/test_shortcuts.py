"""Shared view helpers and the one base of business-rule refusals (core.shortcuts, exceptions)."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.test import RequestFactory

from sinergi.certificates.services import CertificateError
from sinergi.core.exceptions import ServiceError
from sinergi.core.shortcuts import error_report, form_errors_add, get_or_404
from sinergi.learning.services.quizzes import AttemptClosed, QuizError
from sinergi.library.services import LendingError
from sinergi.training.services import RegistrationError
from sinergi.visits.services import VisitError


class TitleForm(forms.Form):
    title = forms.CharField()


def test_every_business_rule_error_is_a_service_error_with_a_code():
    for error in (
        CertificateError("m", "revoked"),
        RegistrationError("m", "batch_full"),
        VisitError("m", "weekly_limit"),
        LendingError("m", "no_copy", hold_available=True),
        QuizError("m"),
        AttemptClosed("m"),
    ):
        assert isinstance(error, ServiceError)
        assert error.message == "m" and str(error) == "m"
        assert error.code
    assert QuizError("m").code == "quiz_rule"
    assert LendingError("m", "no_copy", hold_available=True).hold_available


def test_get_or_404_turns_a_door_refusal_into_404():
    def door(*, pk):
        if pk != 1:
            raise ObjectDoesNotExist
        return "seen"

    assert get_or_404(door, pk=1) == "seen"
    with pytest.raises(Http404):
        get_or_404(door, pk=2)


def test_a_validation_error_lands_on_the_fields_it_names():
    form = TitleForm(data={"title": "x"})
    assert form.is_valid()
    form_errors_add(form, ValidationError({"title": "Judul sudah dipakai.", "other": "Lain."}))
    assert form.errors["title"] == ["Judul sudah dipakai."]
    assert form.non_field_errors() == ["Lain."]


def test_a_plain_validation_error_and_a_service_error_are_the_whole_forms():
    form = TitleForm(data={"title": "x"})
    form.is_valid()
    form_errors_add(form, ValidationError("Tanggal bertabrakan."))
    form_errors_add(form, VisitError("Kuota minggu ini habis.", "weekly_limit"))
    assert form.non_field_errors() == ["Tanggal bertabrakan.", "Kuota minggu ini habis."]


def test_error_report_shows_each_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    error_report(request, ValidationError(["Satu.", "Dua."]))
    error_report(request, RegistrationError("Kelas penuh.", "batch_full"))
    assert [str(m) for m in get_messages(request)] == ["Satu.", "Dua.", "Kelas penuh."]


def test_the_api_answers_an_uncaught_service_error_as_409(user_client, monkeypatch):
    """An endpoint that lets a rule's refusal through answers the one error shape, not a 500."""
    from sinergi.library import api as library_api

    def refuse(**kwargs):
        raise VisitError("Ditolak aturan.", "some_rule")

    monkeypatch.setattr(library_api.selectors, "catalogue_search", refuse)
    response = user_client.get("/api/v1/titles")
    assert response.status_code == 409
    assert response.json() == {"code": "some_rule", "message": "Ditolak aturan.", "details": None}
