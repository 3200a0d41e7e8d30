"""Registry imports for system administrators (superusers): the list of runs, a new run, its progress and result."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from qmss.core.decorators import superuser_required
from qmss.core.pagination import paginate
from qmss.registry import actions_imports, selectors, tasks
from qmss.registry.forms import ImportForm
from qmss.registry.models import RegistryChange, RegistryImport
from qmss.registry.views_catalogue import catalogue_crumb

SKIPPED_SHOWN = 500


def _imports_crumb() -> tuple[str, str]:
    return (_("Registry imports"), reverse("registry:import_list"))


def _count_labels() -> dict[str, str]:
    return {
        "records": _("records read"),
        "services": _("services"),
        "providers": _("providers"),
        "facilities": _("facilities"),
        "new": _("new services"),
        "changed": _("changed services"),
        "unchanged": _("unchanged services"),
        "ended": _("ended services"),
        "missing": _("services no longer in the source"),
        "skipped": _("skipped records"),
        "unmapped": _("unmapped codes"),
    }


def _by_occurrences(item) -> tuple:
    code, occurrences = item
    return (-occurrences if isinstance(occurrences, int) else 0, str(code))


def _get_import(import_pk: int) -> RegistryImport:
    registry_import = selectors.get_import(import_pk)
    if registry_import is None:
        raise Http404
    if registry_import.status in actions_imports.PENDING and actions_imports.fail_stale_imports(import_pk=import_pk):
        registry_import = selectors.get_import(import_pk)  # its worker is gone: now shown as failed
    return registry_import


def progress_context(registry_import: RegistryImport) -> dict:
    """Progress from the cache while the import runs (its own writes are not committed yet), else the row."""
    status = registry_import.status
    finished = status in (RegistryImport.Status.DONE, RegistryImport.Status.FAILED)
    cached = None if finished else tasks.read_progress(registry_import.pk)
    if cached:
        total, done = int(cached.get("total") or 0), int(cached.get("bytes") or 0)
        percent = min(99, int(100 * done / total)) if total else 0
        records = int(cached.get("records") or 0)
    else:
        percent, records = registry_import.percent, registry_import.processed_records
    return {
        "registry_import": registry_import,
        "finished": finished,
        "running": status == RegistryImport.Status.RUNNING or cached is not None,
        "percent": percent,
        "records": records,
    }


@superuser_required
@require_safe
def import_list(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.import_list())
    context = {"page_obj": page_obj, "crumbs": [catalogue_crumb(), (_("Registry imports"), None)]}
    return render(request, "registry/import_list.html", context)


@superuser_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        registry_import = actions_imports.start_import(
            user=request.user,
            upload=form.cleaned_data.get("file"),
            dry_run=form.cleaned_data["dry_run"],
            force=form.cleaned_data["force"],
        )
        return redirect(registry_import)
    context = {
        "form": form,
        "registry_url": settings.QMSS_REGISTRY_URL,
        "crumbs": [catalogue_crumb(), _imports_crumb(), (_("New import"), None)],
    }
    return render(request, "registry/import_new.html", context)


@superuser_required
@require_safe
def import_detail(request: HttpRequest, import_pk: int) -> HttpResponse:
    registry_import = _get_import(import_pk)
    context = progress_context(registry_import)
    context["crumbs"] = [catalogue_crumb(), _imports_crumb(), (_("Import %(pk)s") % {"pk": import_pk}, None)]
    context["source_name"] = Path(registry_import.source).name if registry_import.source else ""
    if registry_import.status == RegistryImport.Status.DONE:
        kind = request.GET.get("kind", "")
        kind = kind if kind in RegistryChange.Kind.values else ""
        changes = paginate(request, selectors.import_changes(registry_import, kind))
        changes.object_list = list(changes.object_list)
        for change in changes.object_list:
            change.old_text = selectors.value_text(change.old_value)
            change.new_text = selectors.value_text(change.new_value)
        kind_counts = selectors.import_change_counts(registry_import)
        labels = _count_labels()
        context.update(
            {
                "counts": [(labels.get(k, k), v) for k, v in (registry_import.counts or {}).items()],
                "kind_counts": [
                    (value, label, kind_counts.get(value, 0)) for value, label in RegistryChange.Kind.choices
                ],
                "kind": kind,
                "page_obj": changes,
                "query_string": f"kind={kind}" if kind else "",
                "skipped": (registry_import.skipped or [])[:SKIPPED_SHOWN],
                "skipped_total": len(registry_import.skipped or []),
                "unmapped": sorted((registry_import.unmapped or {}).items(), key=_by_occurrences),
            }
        )
    return render(request, "registry/import_detail.html", context)


@superuser_required
@require_safe
def import_progress(request: HttpRequest, import_pk: int) -> HttpResponse:
    """The progress partial polled by htmx; once the run has ended the whole page is reloaded."""
    context = progress_context(_get_import(import_pk))
    response = render(request, "registry/_import_progress.html", context)
    if context["finished"] and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response
