"""The member's side: search, a title's page, borrowing, holds, my loans, the reader."""

import json

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sinergi.core.formatting import format_datetime
from sinergi.core.shortcuts import error_report, get_or_404

from .. import selectors, services
from ..files import cover_type, image_type
from ..forms import PositionForm, SearchForm
from ..models import BookFile, FileKind, ReadingPosition
from ..signing import file_token_read, file_url

PAGE_SIZE = 20


@require_safe
def catalogue(request):
    form = SearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    result = selectors.catalogue_search(user=request.user, text=text, filters=form.filters())
    page = Paginator(result.titles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "text": text,
        "page": page,
        "facets": result.facets,
        "facets_capped": result.facets_capped,
        "facet_window": selectors.FACET_WINDOW,
        "total": result.total,
        "total_capped": result.total_capped,
        "active": form.filters(),
        "staff": selectors.is_library_staff(request.user),
    }
    return render(request, "library/catalogue.html", context)


@require_safe
def title_detail(request, pk: int):
    title = get_or_404(selectors.title_get, title_id=pk, user=request.user)
    availability = selectors.title_availability(title=title)
    loan = selectors.active_loan(user=request.user, title=title)
    hold = selectors.live_hold(user=request.user, title=title)
    context = {
        "title": title,
        "availability": availability,
        "loan": loan,
        "hold": hold,
        "position": selectors.hold_position(hold=hold) if hold else 0,
        "staff": selectors.is_library_staff(request.user),
    }
    return render(request, "library/title_detail.html", context)


@login_required
@require_POST
def title_borrow(request, pk: int):
    title = get_or_404(selectors.title_get, title_id=pk, user=request.user)
    try:
        loan = services.loan_create(title=title, user=request.user)
    except services.LendingError as error:
        error_report(request, error)
    else:
        messages.success(
            request,
            _("Borrowed until %(end)s.") % {"end": format_datetime(loan.due_at)},
        )
    return redirect(title)


@login_required
@require_POST
def title_hold(request, pk: int):
    title = get_or_404(selectors.title_get, title_id=pk, user=request.user)
    try:
        services.hold_create(title=title, user=request.user)
    except services.LendingError as error:
        error_report(request, error)
    else:
        messages.success(
            request, _("You are in the queue. We will e-mail you when it is your turn.")
        )
    return redirect(title)


@login_required
@require_POST
def loan_return(request, pk: int):
    loan = get_or_404(selectors.loan_get, loan_id=pk, user=request.user)
    try:
        services.loan_return(loan=loan, actor=request.user)
    except services.LendingError as error:
        error_report(request, error)
    else:
        messages.success(request, _("Returned. Thank you!"))
    return redirect("library:my_loans")


@login_required
@require_POST
def hold_cancel(request, pk: int):
    hold = get_or_404(selectors.hold_get, hold_id=pk, user=request.user)
    try:
        services.hold_cancel(hold=hold, actor=request.user)
    except services.LendingError as error:
        error_report(request, error)
    else:
        messages.success(request, _("You have left the queue."))
    return redirect("library:my_loans")


@login_required
@require_safe
def my_loans(request):
    holds = list(selectors.holds_of_user(user=request.user))
    for hold in holds:
        hold.position = selectors.hold_position(hold=hold)
    context = {"loans": selectors.loans_of_user(user=request.user), "holds": holds}
    return render(request, "library/my_loans.html", context)


# epub.js lays each chapter out in a sandboxed same-origin iframe (scripts off) and feeds it the
# book's styles, images and fonts as inline <style> and blob:/data: URLs; only this page needs
# that. pdf.js needs nothing beyond 'self' (its worker is a static file).
@csp_update(
    {
        "style-src": ["'unsafe-inline'", "blob:"],
        "img-src": ["blob:"],
        "font-src": ["blob:", "data:"],
        "frame-src": ["'self'", "blob:"],
    }
)
@require_safe
def read(request, pk: int):
    book_file = get_or_404(selectors.book_file_get, file_id=pk, user=request.user)
    if not selectors.may_read(user=request.user, book_file=book_file):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        messages.error(request, _("Borrow this title to read it."))
        return redirect(book_file.title)
    position = ""
    if request.user.is_authenticated:
        row = ReadingPosition.objects.filter(user=request.user, book_file=book_file).first()
        position = row.position if row else ""
    context = {
        "book_file": book_file,
        "title": book_file.title,
        "file_url": file_url(book_file=book_file, user=request.user),
        "position": position,
        "is_epub": book_file.kind == FileKind.EPUB,
    }
    response = render(request, "library/read.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_safe
def file_stream(request, token: str):
    """Stream a file to whoever holds a fresh signed link and may still read it."""
    claims = file_token_read(token)
    if claims is None:
        return HttpResponseForbidden(_("This link has expired. Open the book again."))
    user_id = request.user.pk if request.user.is_authenticated else None
    if claims.get("u") != user_id:
        return HttpResponseForbidden(_("This link belongs to someone else."))
    try:
        book_file = selectors.book_file_get(file_id=claims["f"], user=request.user)
    except BookFile.DoesNotExist:
        raise Http404 from None
    if not selectors.may_read(user=request.user, book_file=book_file):
        return HttpResponseForbidden(_("Your loan has ended."))
    response = FileResponse(book_file.file.open("rb"), content_type=book_file.content_type)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def position_save(request, pk: int):
    book_file = get_or_404(selectors.book_file_get, file_id=pk, user=request.user)
    if not selectors.may_read(user=request.user, book_file=book_file):
        return JsonResponse({"detail": _("Your loan has ended.")}, status=403)
    data = request.POST
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = {}
    form = PositionForm(data)
    if not form.is_valid():
        return JsonResponse({"detail": _("No position given.")}, status=400)
    services.reading_position_save(
        user=request.user, book_file=book_file, position=form.cleaned_data["position"]
    )
    return JsonResponse({"position": form.cleaned_data["position"]})


@require_safe
def cover(request, pk: int):
    title = get_or_404(selectors.title_get, title_id=pk, user=request.user)
    if not title.cover:
        raise Http404
    handle = title.cover.open("rb")
    # From the bytes, so a cover stored under a wrong name before covers were sniffed is
    # still served as what it is.
    content_type = image_type(handle.read(16)) or cover_type(title.cover.name)
    handle.seek(0)
    return FileResponse(handle, content_type=content_type)


@require_safe
def open_file(request, pk: int):
    """Download an open-access file (no loan needed; OPDS open-access links point here)."""
    book_file = get_or_404(selectors.book_file_get, file_id=pk, user=request.user)
    if not book_file.title.open_access or book_file.title.withdrawn:
        raise Http404
    return FileResponse(
        book_file.file.open("rb"),
        content_type=book_file.content_type,
        as_attachment=True,
        filename=f"{book_file.title.title[:80]}.{book_file.kind}",
    )
