"""Bounded input types shared by the routers: every number and text of a request has limits
in the schema, so bad input is a 422 in the shared shape before it reaches the database."""

from datetime import date, datetime
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator

# Row ids are BigAutoField: positive 64-bit integers.
MAX_ID = 2**63 - 1
# Far past any real list (page 10,000 of 100 is a million rows); keeps OFFSET in range.
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100

# A single line of text: no control characters (NUL, ESC, line breaks, ...).
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# Text of several lines: tabs and line breaks allowed, other control characters not.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

Line = Annotated[str, Field(pattern=LINE_PATTERN)]
Text = Annotated[str, Field(pattern=TEXT_PATTERN)]

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The id")]

# Dates and times a person could mean; far ones overflow when moved between time zones.
FIRST_YEAR = 1900
LAST_YEAR = 2200


def _year_in_range(value):
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            _("Enter a date between the years %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


Day = Annotated[date, AfterValidator(_year_in_range)]
Moment = Annotated[datetime, AfterValidator(_year_in_range)]


class Pagination(PageNumberPagination):
    """ninja's page-number pagination with the page and its size bounded."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 50, **kwargs) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)
