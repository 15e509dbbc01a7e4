"""Classroom pages: the curriculum editor (a program's template and a batch's copy) and the
participant's classroom with its modules, items, restrictions and "mark as done"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sinergi.core.files import protected_file_response
from sinergi.core.shortcuts import form_errors_add
from sinergi.core.uploads import PDF

from ..forms_classroom import ItemForm, ModuleForm
from ..models import Item, ItemKind, Module
from ..selectors.access import classroom_get, classroom_get_for_manager
from ..selectors.content import (
    ItemLocked,
    classroom_modules,
    item_get_for_manager,
    item_open_for,
    module_get_for_manager,
    modules_with_items,
    program_get_for_manager,
    upcoming_sessions,
)
from ..selectors.progress import progress_for
from ..services import content
from .assignments import assignment_context
from .attendance import session_context

# Materials in PDF open in the browser; slides and documents download.
INLINE = frozenset({PDF})

# The curriculum editor ----------------------------------------------------------------------


def _editor_url(module: Module) -> str:
    if module.program_id:
        return reverse("learning:program_curriculum", args=[module.program_id])
    return reverse("learning:batch_curriculum", args=[module.batch_id])


def _editor(request, *, program=None, batch=None):
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        module = content.module_create(
            actor=request.user, program=program, batch=batch, **form.cleaned_data
        )
        messages.success(request, _("Module added."))
        return redirect(f"{_editor_url(module)}#module-{module.pk}")
    return render(
        request,
        "learning/classroom_curriculum.html",
        {
            "program": program or batch.program,
            "batch": batch,
            "modules": modules_with_items(program=program, batch=batch),
            "form": form,
            "kinds": ItemKind.choices,
            "template_has_modules": batch is not None
            and Module.objects.filter(program_id=batch.program_id).exists(),
        },
    )


@login_required
def program_curriculum(request, program_id: int):
    """Edit a program's curriculum template."""
    program = program_get_for_manager(user=request.user, program_id=program_id)
    return _editor(request, program=program)


@login_required
def batch_curriculum(request, batch_id: int):
    """Edit a batch's own copy of the curriculum."""
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    return _editor(request, batch=access.batch)


@login_required
@require_POST
def curriculum_copy(request, batch_id: int):
    access = classroom_get_for_manager(user=request.user, batch_id=batch_id)
    modules = content.curriculum_copy_to_batch(batch=access.batch, actor=request.user)
    messages.success(
        request,
        _("The batch's curriculum has %(count)s modules.") % {"count": len(modules)},
    )
    return redirect("learning:batch_curriculum", batch_id=access.batch.pk)


@login_required
def module_edit(request, module_id: int):
    module = module_get_for_manager(user=request.user, module_id=module_id)
    form = ModuleForm(
        request.POST or None,
        initial={"title": module.title, "description": module.description},
    )
    if request.method == "POST" and form.is_valid():
        content.module_update(module=module, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Module saved."))
        return redirect(f"{_editor_url(module)}#module-{module.pk}")
    return render(
        request,
        "learning/module_form.html",
        {"module": module, "form": form, "back": _editor_url(module)},
    )


@login_required
@require_POST
def module_move(request, module_id: int):
    module = module_get_for_manager(user=request.user, module_id=module_id)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    content.module_move(module=module, direction=direction, actor=request.user)
    return redirect(f"{_editor_url(module)}#module-{module.pk}")


@login_required
@require_POST
def module_delete(request, module_id: int):
    module = module_get_for_manager(user=request.user, module_id=module_id)
    back = _editor_url(module)
    content.module_delete(module=module, actor=request.user)
    messages.success(request, _("Module deleted."))
    return redirect(back)


@login_required
def item_create(request, module_id: int, kind: str):
    module = module_get_for_manager(user=request.user, module_id=module_id)
    if kind not in ItemKind.values:
        raise Http404
    form = ItemForm(request.POST or None, request.FILES or None, kind=kind, module=module)
    if request.method == "POST" and form.is_valid():
        try:
            item = content.item_create(
                module=module, kind=kind, actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            if kind == ItemKind.QUIZ:
                # A new quiz has no questions and no time limit yet: straight to its settings.
                messages.warning(
                    request,
                    _(
                        "The quiz is created. It still needs its questions, a time limit and a "
                        "pass mark: set them here."
                    ),
                )
                return redirect("learning:quiz_settings", item_id=item.pk)
            messages.success(request, _("Item added."))
            return redirect(f"{_editor_url(module)}#item-{item.pk}")
    return render(
        request,
        "learning/item_form.html",
        {
            "module": module,
            "form": form,
            "kind_label": ItemKind(kind).label,
            "back": _editor_url(module),
        },
    )


@login_required
def item_edit(request, item_id: int):
    item = item_get_for_manager(user=request.user, item_id=item_id)
    module = item.module
    initial = {
        "title": item.title,
        "body": item.body,
        "url": item.url,
        "jp": item.jp or None,
        "session": item.session_id,
        "available_from": item.available_from,
        "requires": item.requires_id,
        "role": getattr(getattr(item, "quiz", None), "role", None),
    }
    form = ItemForm(
        request.POST or None,
        request.FILES or None,
        kind=item.kind,
        module=module,
        item=item,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            content.item_update(item=item, actor=request.user, **form.service_fields())
        except ValidationError as error:
            form_errors_add(form, error)
        else:
            messages.success(request, _("Item saved."))
            return redirect(f"{_editor_url(module)}#item-{item.pk}")
    return render(
        request,
        "learning/item_form.html",
        {
            "module": module,
            "item": item,
            "form": form,
            "kind_label": item.get_kind_display(),
            "back": _editor_url(module),
            "settings_url": _settings_url(item),
        },
    )


def _settings_url(item: Item) -> str | None:
    """Return the page where a quiz, assignment, survey or session item's settings are edited."""
    batch_id = item.module.batch_id
    if item.kind == ItemKind.ASSIGNMENT:
        return reverse("learning:assignment_settings", args=[item.pk])
    if item.kind == ItemKind.QUIZ:
        return reverse("learning:quiz_settings", args=[item.pk])
    if item.kind == ItemKind.SURVEY and batch_id:
        return reverse("learning:survey_edit", args=[batch_id, item.pk])
    if item.kind == ItemKind.SESSION and item.session_id:
        return reverse("learning:session_edit", args=[batch_id, item.session_id])
    return None


@login_required
@require_POST
def item_move(request, item_id: int):
    item = item_get_for_manager(user=request.user, item_id=item_id)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    content.item_move(item=item, direction=direction, actor=request.user)
    return redirect(f"{_editor_url(item.module)}#item-{item.pk}")


@login_required
@require_POST
def item_delete(request, item_id: int):
    item = item_get_for_manager(user=request.user, item_id=item_id)
    back = _editor_url(item.module)
    content.item_delete(item=item, actor=request.user)
    messages.success(request, _("Item deleted."))
    return redirect(back)


@login_required
def template_item_file(request, item_id: int):
    """Let the template's editors open a file of the template."""
    item = item_get_for_manager(user=request.user, item_id=item_id)
    return _file_response(item)


# The participant's classroom ----------------------------------------------------------------


@login_required
def classroom(request, batch_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    progress = progress_for(registration=access.registration) if access.registration else None
    return render(
        request,
        "learning/classroom_detail.html",
        {
            "access": access,
            "batch": access.batch,
            "modules": classroom_modules(batch=access.batch, registration=access.registration),
            "progress": progress,
            "sessions": upcoming_sessions(batch=access.batch),
            "progress_url": reverse("learning:progress", args=[access.batch.pk])
            or f"/learning/batches/{access.batch.pk}/progress/",
        },
    )


def _item_links(item: Item) -> dict:
    batch_id = item.module.batch_id
    links = {}
    if item.kind == ItemKind.QUIZ:
        links["quiz_url"] = reverse("learning:quiz_detail", args=[batch_id, item.pk])
    elif item.kind == ItemKind.SURVEY:
        links["survey_url"] = reverse("learning:survey_fill", args=[batch_id, item.pk])
    return links


@login_required
def item_detail(request, batch_id: int, item_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    try:
        item, state = item_open_for(access=access, item_id=item_id)
    except ItemLocked as locked:
        return render(
            request,
            "learning/item_locked.html",
            {"batch": access.batch, "state": locked.state},
            status=403,
        )
    context = {
        "access": access,
        "batch": access.batch,
        "item": item,
        "state": state,
        "self_completed": item.kind in content.SELF_COMPLETED,
        "embed_url": content.video_embed_url(item.url) if item.kind == ItemKind.VIDEO else None,
        **_item_links(item),
    }
    if item.kind == ItemKind.ASSIGNMENT:
        context.update(assignment_context(request, access=access, item=item))
    elif item.kind == ItemKind.SESSION and item.session_id:
        context.update(session_context(request, access=access, session=item.session))
    return render(request, "learning/item_detail.html", context)


@login_required
@require_POST
def item_done(request, batch_id: int, item_id: int):
    access = classroom_get(user=request.user, batch_id=batch_id)
    if access.registration is None:
        raise Http404
    try:
        item, _state = item_open_for(access=access, item_id=item_id)
    except ItemLocked:
        raise Http404 from None
    try:
        content.item_complete_by_participant(item=item, registration=access.registration)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Marked as done."))
    return redirect("learning:item_detail", batch_id=batch_id, item_id=item.pk)


def _file_response(item: Item) -> HttpResponse:
    if item.kind != ItemKind.FILE:
        raise Http404
    return protected_file_response(item.file, stem=f"materi-{item.pk}", inline_kinds=INLINE)


@login_required
def item_file(request, batch_id: int, item_id: int):
    """Stream a material file to the batch's participants and staff; never from MEDIA_URL."""
    access = classroom_get(user=request.user, batch_id=batch_id)
    try:
        item, _state = item_open_for(access=access, item_id=item_id)
    except ItemLocked:
        raise Http404 from None
    return _file_response(item)


urlpatterns = [
    path("programs/<int:program_id>/curriculum/", program_curriculum, name="program_curriculum"),
    path("batches/<int:batch_id>/curriculum/", batch_curriculum, name="batch_curriculum"),
    path("batches/<int:batch_id>/curriculum/copy/", curriculum_copy, name="curriculum_copy"),
    path("modules/<int:module_id>/edit/", module_edit, name="module_edit"),
    path("modules/<int:module_id>/move/", module_move, name="module_move"),
    path("modules/<int:module_id>/delete/", module_delete, name="module_delete"),
    path("modules/<int:module_id>/items/new/<slug:kind>/", item_create, name="item_create"),
    path("items/<int:item_id>/edit/", item_edit, name="item_edit"),
    path("items/<int:item_id>/move/", item_move, name="item_move"),
    path("items/<int:item_id>/delete/", item_delete, name="item_delete"),
    path("items/<int:item_id>/file/", template_item_file, name="template_item_file"),
    path("batches/<int:batch_id>/", classroom, name="classroom"),
    path("batches/<int:batch_id>/items/<int:item_id>/", item_detail, name="item_detail"),
    path("batches/<int:batch_id>/items/<int:item_id>/file/", item_file, name="item_file"),
    path("batches/<int:batch_id>/items/<int:item_id>/done/", item_done, name="item_done"),
]
