"""Every date, time and date-time field a person fills in renders in the format its browser input
accepts, so a stored value is shown and saved back unchanged (a browser drops any other value)."""

import datetime
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.utils import timezone, translation

import sinergi
from sinergi.core.forms import DateInput, DateTimeInput, TimeInput

EXPECTED = {
    forms.DateTimeField: ("datetime-local", "%Y-%m-%dT%H:%M"),
    forms.DateField: ("date", "%Y-%m-%d"),
    forms.TimeField: ("time", "%H:%M"),
}


def _form_classes():
    seen = set()
    for info in pkgutil.walk_packages(sinergi.__path__, "sinergi."):
        if "forms" not in info.name.rsplit(".", 1)[-1]:
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                seen.add(cls)
    return sorted(seen, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _temporal_fields():
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            for kind in EXPECTED:
                if isinstance(field, kind):
                    yield pytest.param(field, kind, id=f"{cls.__module__}.{cls.__name__}.{name}")
                    break


FIELDS = list(_temporal_fields())


def test_the_forms_have_date_fields_to_check():
    assert len(FIELDS) >= 20


@pytest.mark.parametrize("field, kind", FIELDS)
def test_each_date_field_renders_what_the_browser_accepts(field, kind):
    input_type, fmt = EXPECTED[kind]
    assert field.widget.input_type == input_type
    assert field.widget.format == fmt


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_widgets_render_stored_values_in_html_formats_in_each_language(language):
    moment = timezone.make_aware(datetime.datetime(2026, 12, 31, 23, 59))
    with translation.override(language):
        assert 'value="2026-12-31"' in DateInput().render("d", datetime.date(2026, 12, 31))
        assert 'value="2026-12-31T23:59"' in DateTimeInput().render("d", moment)
        assert 'value="07:05"' in TimeInput().render("t", datetime.time(7, 5))


@pytest.mark.parametrize("language", ["id", "en"])
def test_what_the_browser_sends_back_is_read_in_each_language(language):
    with translation.override(language):
        assert forms.DateField(widget=DateInput()).clean("2026-02-28") == datetime.date(2026, 2, 28)
        read = forms.DateTimeField(widget=DateTimeInput()).clean("2028-02-29T00:01")
        assert timezone.localtime(read).replace(tzinfo=None) == datetime.datetime(2028, 2, 29, 0, 1)
        assert forms.TimeField(widget=TimeInput()).clean("23:55") == datetime.time(23, 55)
