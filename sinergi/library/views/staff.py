"""The collection librarian's pages: records, files, license pools, e-resources."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from sinergi.accounts.decorators import role_required
from sinergi.core.shortcuts import get_or_404

from .. import selectors, services, slims
from ..files import book_file_store
from ..forms import EResourceForm, PoolForm, SlimsImportForm, TitleForm, UploadForm
from ..models import EResource

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


@staff_required
def slims_import(request):
    """Start an import of a SLiMS 9 library; list the last ones."""
    form = SlimsImportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = slims.catalogue_import_request(
                actor=request.user,
                database_url=form.cleaned_data["database"],
                files_dir=form.cleaned_data["files_dir"],
                members=form.cleaned_data["members"],
            )
        except slims.SlimsError as error:
            form.add_error("database", str(error))
        else:
            return redirect("library:slims_import_status", pk=job.pk)
    imports = selectors.catalogue_imports_recent(user=request.user)
    return render(request, "library/staff/slims_import.html", {"form": form, "imports": imports})


@staff_required
def slims_import_status(request, pk: int):
    """The progress of an import: a page, or (for HTMX polling) its status part."""
    job = selectors.catalogue_import_get(user=request.user, import_id=pk)
    template = "library/staff/slims_import_status.html"
    if request.headers.get("HX-Request"):
        template += "#import-status"
    response = render(request, template, {"job": job})
    response["Vary"] = "HX-Request"
    return response
