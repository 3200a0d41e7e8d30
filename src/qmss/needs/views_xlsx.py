"""The provider's XLSX page of a round: download a pre-filled template (one sheet per service or one table) and
upload it back (checked whole, saved all or nothing)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmss.core.scoping import get_scope
from qmss.needs import actions_xlsx, selectors_xlsx, xlsx
from qmss.needs.forms_xlsx import DownloadForm, UploadForm
from qmss.needs.selectors_rounds import get_round

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organisation_id(form, organisations) -> int | None:
    if "organisation" in form.fields:
        return form.cleaned_data["organisation"]
    return organisations[0].pk if organisations else None


@login_required
def xlsx_round(request, round_pk: int):
    scope = get_scope(request)
    round = get_round(scope, round_pk)
    organisations = selectors_xlsx.provider_organisations(scope, round)
    download_form = DownloadForm(organisations=organisations)
    upload_form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    upload_errors: list[str] = []
    if request.method == "POST":
        if not organisations and not scope.is_superuser:
            raise PermissionDenied
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            data = upload.read(xlsx.MAX_BYTES + 1)
            try:
                result = actions_xlsx.import_workbook(
                    user=request.user,
                    round=round,
                    data=data,
                    organisation_id=_organisation_id(upload_form, organisations),
                )
            except ValidationError as exc:
                upload_errors = [str(message) for message in exc.messages]
            else:
                messages.success(
                    request,
                    ngettext(
                        "The file has been read: values of %(count)s service were changed.",
                        "The file has been read: values of %(count)s services were changed.",
                        result.changed,
                    )
                    % {"count": result.changed},
                )
                return redirect("needs:xlsx_round", round_pk=round.pk)
    submissions = list(selectors_xlsx.fillable_submissions(scope, round))
    context = {
        "round": round,
        "organisations": organisations,
        "submissions": submissions,
        "download_form": download_form,
        "upload_form": upload_form,
        "upload_errors": upload_errors,
        "max_errors": xlsx.MAX_ERRORS,
    }
    return render(request, "needs/xlsx/round.html", context, status=400 if request.method == "POST" else 200)


@login_required
def xlsx_download(request, round_pk: int):
    scope = get_scope(request)
    round = get_round(scope, round_pk)
    organisations = selectors_xlsx.provider_organisations(scope, round)
    data = {"layout": request.GET.get("layout") or xlsx.LAYOUT_SHEETS, "organisation": request.GET.get("organisation")}
    form = DownloadForm(data, organisations=organisations)
    if not form.is_valid():
        raise Http404
    organisation_id = _organisation_id(form, organisations)
    if not organisations and not scope.is_superuser:
        raise Http404
    submissions = selectors_xlsx.fillable_submissions(scope, round, organisation_id)
    blocks = selectors_xlsx.service_blocks(submissions)
    if not blocks:
        messages.info(request, _("There is no report you could fill in now in this round."))
        return redirect("needs:xlsx_round", round_pk=round.pk)
    layout = form.cleaned_data["layout"]
    content = xlsx.build_workbook(
        round_id=round.pk,
        round_name=round.name,
        blocks=blocks,
        layout=layout,
        secret=settings.SECRET_KEY,
        organisation_id=organisation_id,
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    filename = f"qmss-sber-{round.pk}-{slugify(round.name)[:40] or 'kolo'}-{layout}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
