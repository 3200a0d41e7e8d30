"""Public pages of the networks part: the index of networks, a network's entries by tier, its versions, the diff of
two versions, the annex (XLSX / CSV) and the brief with its gaps. Who is in a network is public; the manager's
buttons and working links appear only for those ``qmss.network.permissions`` allows."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from qmss.core.pagination import filter_query_string, paginate
from qmss.core.roles import OrganisationKind
from qmss.core.scoping import get_scope
from qmss.network import defaults_networks as defaults
from qmss.network import permissions
from qmss.network import selectors_networks as selectors
from qmss.network.exports_networks import FORMATS, annex_csv, annex_xlsx
from qmss.network.models import Network, NetworkEntry

DIFF_LABELS = {
    "capacity": NetworkEntry._meta.get_field("capacity").verbose_name,
    "tier": NetworkEntry._meta.get_field("tier").verbose_name,
    "orp_codes": NetworkEntry._meta.get_field("orp_codes").verbose_name,
    "municipality_codes": NetworkEntry._meta.get_field("municipality_codes").verbose_name,
    "financing_category": NetworkEntry._meta.get_field("financing_category").verbose_name,
    "note": NetworkEntry._meta.get_field("note").verbose_name,
}


def link(name: str, query: str = "", **kwargs) -> str | None:
    """The URL of another part's page, or None while that part is not in the tree."""
    try:
        url = reverse(f"network:{name}", kwargs=kwargs)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def decorate_gaps(gaps, unit_names: dict[str, str]) -> list:
    for gap in gaps:
        gap.unit_name = unit_names.get(gap.item.unit, gap.item.unit)
        gap.surplus = -gap.gap if gap.gap < 0 else 0
    return gaps


def decorate_entries(entries, *, orp_names: dict[int, str], unit_names: dict[str, str], financing: dict[str, str]):
    """Names for the codes an entry holds (ORPs, unit, financing category)."""
    for entry in entries:
        entry.orp_names = [orp_names.get(int(code), str(code)) for code in entry.orp_codes or []]
        entry.unit_name = unit_names.get(entry.unit, entry.unit)
        entry.financing_name = financing.get(entry.financing_category, entry.financing_category)
    return entries


def network_or_404(network_pk: int) -> Network:
    network = selectors.get_network(network_pk)
    if network is None:
        raise Http404
    return network


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def version_or_404(network: Network, text: str | None):
    """The version ``?verze=`` asks for (the current one without it); 404 for a number the network lacks."""
    number = _number(text)
    if text and number is None:
        raise Http404
    version = selectors.get_version(network, number)
    if number is not None and version is None:
        raise Http404
    return version


def crumbs(network: Network | None = None, current: str | None = None) -> list[tuple[str, str | None]]:
    items: list[tuple[str, str | None]] = [(_("Networks"), reverse("network:index"))]
    if network is not None:
        items.append((network.name, network.get_absolute_url() if current else None))
    if current:
        items.append((current, None))
    return items


def network_context(request, network: Network) -> dict:
    """What every page of a network shows: the manager's rights and the links to the other parts."""
    scope = get_scope(request)
    can_see_work = permissions.can_see_work(scope, network)
    query = f"sit={network.pk}"
    return {
        "network": network,
        "can_manage": permissions.can_manage(scope, network),
        "can_see_work": can_see_work,
        "links": {
            "rules": link("rules", network_pk=network.pk),
            "analysis": link("analysis_region", query=query, region_code=network.region.code),
            "ranking": link("ranking", network_pk=network.pk) if can_see_work else None,
            "whatif": link("whatif", network_pk=network.pk) if can_see_work else None,
            "learning": link("learning", network_pk=network.pk) if can_see_work else None,
            "data_quality": link("data_quality", network_pk=network.pk) if can_see_work else None,
            "history": link("history", network_pk=network.pk) if can_see_work else None,
            "applications": link("applications", query=query),
            "application_new": link("application_new", network_pk=network.pk),
        },
    }


# --- index --------------------------------------------------------------------------------------------------


def index(request):
    scope = get_scope(request)
    page = paginate(request, selectors.visible_networks(scope))
    managed = permissions.managed_organisation_ids(scope)
    return render(
        request,
        "network/networks/index.html",
        {
            "page_obj": page,
            "can_create": bool(managed) or scope.is_superuser,
            "crumbs": [(_("Networks"), None)],
            "analysis_url": link("analysis"),
            "applications_url": link("applications"),
        },
    )


# --- a network ----------------------------------------------------------------------------------------------


def _names(network: Network, orps=None) -> dict:
    orps = orps if orps is not None else selectors.network_orps(network)
    return {
        "orp_names": {o.ruian_code: o.name for o in orps},
        "unit_names": defaults.unit_names(),
        "financing": defaults.financing_names(),
    }


def network_detail(request, network_pk: int):
    network = network_or_404(network_pk)
    version = version_or_404(network, request.GET.get("verze"))
    orps = selectors.network_orps(network)
    tiers = selectors.tiers(network)
    kinds = selectors.version_kinds(version)
    kind = request.GET.get("druh", "")
    tier = request.GET.get("uroven", "")
    orp = _number(request.GET.get("orp"))
    kind = kind if kind in {k.code for k in kinds} else ""
    tier = tier if tier in {t.code for t in tiers} else ""
    orp = orp if orp in {o.ruian_code for o in orps} else None
    entries = selectors.filter_entries(selectors.version_entries(version), kind=kind, orp=orp, tier=tier)
    page = paginate(request, entries)
    page.object_list = list(page.object_list)
    names = _names(network, orps)
    decorate_entries(page.object_list, **names)
    unit_names = names["unit_names"]
    totals = [{**row, "name": unit_names.get(row["unit"], row["unit"])} for row in selectors.totals_by_unit(entries)]
    current = selectors.current_version(network)
    context = network_context(request, network)
    context.update(
        {
            "version": version,
            "is_current": version is not None and current is not None and version.pk == current.pk,
            "current": current,
            "page_obj": page,
            "query_string": filter_query_string(request),
            "totals": totals,
            "kinds": kinds,
            "orps": orps,
            "tiers": tiers,
            "filters": {"druh": kind, "orp": orp, "uroven": tier},
            "filtered": bool(kind or orp or tier),
            "gaps": decorate_gaps(selectors.brief_gaps(network, version), unit_names) if version else [],
            "crumbs": crumbs(network),
            "is_municipal": network.organisation.kind == OrganisationKind.MUNICIPALITY,
        }
    )
    return render(request, "network/networks/detail.html", context)


def versions(request, network_pk: int):
    network = network_or_404(network_pk)
    rows = list(selectors.versions(network))
    context = network_context(request, network)
    context.update({"versions": rows, "crumbs": crumbs(network, _("Versions"))})
    if len(rows) > 1:
        context["diff_from"], context["diff_to"] = rows[1].number, rows[0].number
    return render(request, "network/networks/versions.html", context)


def diff(request, network_pk: int):
    network = network_or_404(network_pk)
    numbers = list(selectors.versions(network).values_list("number", flat=True))
    new_number = _number(request.GET.get("do")) or (numbers[0] if numbers else None)
    old_number = _number(request.GET.get("od"))
    if old_number is None and new_number is not None:
        old_number = max((n for n in numbers if n < new_number), default=new_number)
    old = selectors.get_version(network, old_number) if old_number else None
    new = selectors.get_version(network, new_number) if new_number else None
    if old is None or new is None:
        raise Http404
    result = selectors.diff(old, new)
    names = _names(network)
    decorate_entries(result.added, **names)
    decorate_entries(result.removed, **names)
    for change in result.changed:
        decorate_entries([change.old, change.new], **names)
        change.labels = [DIFF_LABELS[name] for name in change.fields]
    context = network_context(request, network)
    context.update(
        {
            "old": old,
            "new": new,
            "numbers": numbers,
            "diff": result,
            "crumbs": crumbs(network, _("Comparison of versions")),
        }
    )
    return render(request, "network/networks/diff.html", context)


def annex(request, network_pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    network = network_or_404(network_pk)
    version = version_or_404(network, request.GET.get("verze"))
    if version is None:
        raise Http404
    name = f"{slugify(network.name)[:60] or 'sit'}-verze-{version.number}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(
            annex_xlsx(network, version),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(annex_csv(network, version), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def brief(request, network_pk: int):
    """The brief: targets per kind and territory with the gap against the current version; the manager adds
    items here (the form posts to this page)."""
    from qmss.network.views_manage_networks import brief_form, save_brief

    network = network_or_404(network_pk)
    context = network_context(request, network)
    form = None
    if context["can_manage"]:
        if request.method == "POST":
            response, form = save_brief(request, network, item=None)
            if response is not None:
                return response
        else:
            form = brief_form(network)
    elif request.method == "POST":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    version = selectors.current_version(network)
    context.update(
        {
            "version": version,
            "gaps": decorate_gaps(selectors.brief_gaps(network, version), defaults.unit_names()),
            "form": form,
            "crumbs": crumbs(network, _("Brief")),
        }
    )
    return render(request, "network/networks/brief.html", context)
