"""Form pieces every app uses: date and time inputs in the formats browsers accept.

`<input type="date">` takes only yyyy-mm-dd, `datetime-local` yyyy-mm-ddThh:mm and `time` hh:mm;
any other value is dropped by the browser, so a form saved unchanged would erase the date.
These widgets always render those formats; the browser shows them in the person's own way,
and the label says the time is WIB (the form's time zone, `settings.TIME_ZONE`).
"""

from django import forms

HTML_DATE = "%Y-%m-%d"
HTML_DATETIME = "%Y-%m-%dT%H:%M"
HTML_TIME = "%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=HTML_DATE)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=HTML_DATETIME)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=HTML_TIME)
