"""The collection librarian's pages: records, files, license pools, e-resources."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sinergi.accounts.decorators import role_required

from .. import selectors, services
from ..files import book_file_store
from ..forms import EResourceForm, PoolForm, TitleForm, UploadForm
from ..models import EResource
from .common import get_or_404

staff_required = role_required(*selectors.LIBRARY_STAFF)


@staff_required
def title_new(request):
    form = TitleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            title = services.title_create(actor=request.user, data=form.title_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Record created."))
            return redirect(title)
    return render(request, "library/staff/title_form.html", {"form": form})


@staff_required
def title_edit(request, pk: int):
    title = get_or_404(selectors.title_get, title_id=pk, user=request.user)
    form = TitleForm(request.POST or None, initial=TitleForm.initial_for(title))
    if request.method == "POST" and form.is_valid():
        try:
            services.title_update(actor=request.user, title=title, data=form.title_data())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Record saved."))
            return redirect(title)
    return render(request, "library/staff/title_form.html", {"form": form, "title": title})


@staff_required
def title_pool(request, pk: int):
    title = get_or_404(selectors.title_get, title_id=pk, user=request.user)
    pool = selectors.title_pool(title=title)
    form = PoolForm(request.POST or None, instance=pool)
    if request.method == "POST" and form.is_valid():
        services.pool_set(actor=request.user, title=title, **form.cleaned_data)
        messages.success(request, _("License saved."))
        return redirect(title)
    return render(request, "library/staff/pool_form.html", {"form": form, "title": title})


@staff_required
def title_upload(request, pk: int):
    title = get_or_404(selectors.title_get, title_id=pk, user=request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            book_file_store(actor=request.user, title=title, upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("File stored."))
            return redirect(title)
    return render(request, "library/staff/upload_form.html", {"form": form, "title": title})


@staff_required
def eresource_edit(request, pk: int | None = None):
    resource = get_or_404(EResource.objects.get, pk=pk) if pk else None
    form = EResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        resource = services.eresource_save(actor=request.user, form=form)
        messages.success(request, _("E-resource saved."))
        return redirect("library:eresources")
    return render(
        request, "library/staff/eresource_form.html", {"form": form, "resource": resource}
    )
