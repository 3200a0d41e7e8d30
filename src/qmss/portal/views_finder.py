"""The public finder pages: "Najít službu" and the municipality suggestions (no login, no session writes).

The list is the content; the SVG map beside it is an enhancement with a text alternative. Every result and its
reasons come from the in-memory index (``portal.finder``), so a page costs one small query for the networks'
fingerprint and no query per result.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmss.core.formatting import format_number
from qmss.portal import finder, forms_finder
from qmss.portal.forms_finder import FinderForm
from qmss.registry import cache as registry_cache
from qmss.registry.maps import MapPoint, render_map

PAGE_SIZE = 20
CACHE_SECONDS = 300
SUGGESTION_LIMIT = 10


def _public(response: HttpResponse) -> HttpResponse:
    """The same answer for everybody for a few minutes; never stored by shared caches (the page carries the
    language form's CSRF token)."""
    patch_cache_control(response, private=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ["HX-Request", "Cookie", "Accept-Language"])
    return response


_SENTINEL = 987654321987


def _service_url_builder():
    """``portal:service`` when the service part is there, else no link; reversed once per request."""
    try:
        pattern = reverse("portal:service", kwargs={"service_portal_id": _SENTINEL})
    except NoReverseMatch:
        return lambda portal_id: ""
    return lambda portal_id: pattern.replace(str(_SENTINEL), str(portal_id))


def _query(request: HttpRequest, **changes) -> str:
    params = [(k, v) for k, vs in request.GET.lists() if k not in changes and k != "strana" for v in vs if v]
    params += [(k, v) for k, v in changes.items() if v]
    return urlencode(params)


def _place(form: FinderForm, index: finder.FinderIndex):
    """(place, municipalities to choose from, the text named nothing)."""
    text = (form.cleaned_data.get("obec") or "").strip()
    if text:
        rows = index.named(text)
        if len(rows) == 1:
            return finder.resolve_place(municipality_code=rows[0].code, index=index), [], False
        return None, rows, not rows
    if form.lat is not None and form.lon is not None:
        return finder.resolve_place(lat=form.lat, lon=form.lon, index=index), [], False
    return None, [], False


def _needs(form: FinderForm):
    """The needs asked for (chosen + found in the situation) as {code: name} and the situation's match."""
    names = {code: name for _area, items in form.need_choices for code, name in items}
    chosen = {code: names.get(code, code) for code in form.cleaned_data.get("potreba") or []}
    match = forms_finder.match_situation(form.cleaned_data.get("situace") or "")
    if match is not None:
        for need in match.needs:
            chosen.setdefault(need.code, need.name)
    return chosen, match


def _map(place, hits) -> str:
    points = [MapPoint(place.lat, place.lon, _("Searched place: %(place)s") % {"place": place.label}, True)]
    points += [MapPoint(h.lat, h.lon, f"{h.name} ({h.place_name})", h.approximate) for h in hits if h.lat]
    return render_map([], points, label=_("Map of the searched place and the services on this page"))


def _choices_with_selected(choices, selected) -> list:
    """Select options as (value, label, selected) – groups as (group label, [options]) – for the template."""
    chosen = {str(v) for v in selected if v}
    out = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            out.append((value, [(str(v), lbl, str(v) in chosen) for v, lbl in label]))
        else:
            out.append((str(value), label, str(value) in chosen))
    return out


def _context(request: HttpRequest, index: finder.FinderIndex) -> dict:
    """Everything the form and the results show for this query string (no user-specific value)."""
    form = FinderForm(request.GET if request.GET else None, index=index)
    context: dict = {"form": form, "searched": False}
    data = form.data if form.is_bound else {}
    chosen_needs = data.getlist("potreba") if form.is_bound else ()
    context["need_options"] = _choices_with_selected(form.need_choices, chosen_needs)
    context["group_options"] = _choices_with_selected(form.fields["skupina"].choices, [data.get("skupina")])
    context["form_options"] = _choices_with_selected(form.fields["forma"].choices, [data.get("forma")])
    if not (form.is_bound and form.is_valid()):
        return context
    needs, match = _needs(form)
    place, choices, unknown = _place(form, index)
    context.update(needs=needs, situation=match, choices=choices, unknown=unknown, place=place)
    context["choice_links"] = [(m.label, "?" + _query(request, obec=m.code, lat="", lon="")) for m in choices]
    if place is not None and place.municipality_code:
        row = index.municipalities.get(place.municipality_code)
        context["obec_value"] = row.label if row else place.label
        context["near_position"] = not (form.cleaned_data.get("obec") or "").strip()
    if place is None:
        return context
    kind_needs = forms_finder.kinds_for_needs(list(needs)) if needs else {}
    kinds = set(kind_needs) if needs else None
    result = finder.find(
        place=place,
        kind_codes=kinds,
        target_group=form.cleaned_data.get("skupina") or None,
        form=form.cleaned_data.get("forma") or None,
        index=index,
    )
    page_obj = Paginator(result.hits, PAGE_SIZE).get_page(request.GET.get("strana"))
    service_url = _service_url_builder()
    need_reason = _("answers the need: %(name)s")
    for hit in [*page_obj.object_list, *result.nearby]:
        hit.url = service_url(hit.portal_id)
        hit.distance_text = _("%(km)s km") % {"km": format_number(hit.distance_km, 1)} if hit.lat else ""
        hit.reasons = hit.reasons + [
            need_reason % {"name": needs[c]} for c in kind_needs.get(hit.kind_code, []) if c in needs
        ]
    context.update(
        searched=True,
        result=result,
        page_obj=page_obj,
        query_string=_query(request),
        map_svg=_map(place, page_obj.object_list) if page_obj.object_list else "",
        count_text=ngettext("%(n)s service covers %(place)s.", "%(n)s services cover %(place)s.", result.total)
        % {"n": result.total, "place": place.label},
        no_kinds=bool(needs) and not kinds,
    )
    return context


def _fragment_key(request: HttpRequest, index: finder.FinderIndex, htmx: bool) -> str:
    """The cache key of the rendered form and results: the finder's data versions (registry, networks, day –
    the index's key), the editors' phrasings when a situation is described, the language and the raw query."""
    phrasing = forms_finder.phrasing_version() if request.GET.get("situace") else ""
    parts = [repr(index.key), repr(phrasing), get_language() or "", "htmx" if htmx else "page"]
    parts.append(repr(sorted((k, tuple(v)) for k, v in request.GET.lists())))
    return "portal:finder:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@require_safe
def finder_page(request: HttpRequest) -> HttpResponse:
    """The finder. The form and the results are the same for everybody asking the same query on the same data,
    so they are rendered once and cached (``registry.cache.cached_fragments``) under the data versions; the
    page around them (header, language form with its CSRF token) is rendered per request."""
    index = finder.get_index()  # one data-version check per request
    htmx = bool(request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"))

    def render_fragments() -> dict[str, str]:
        context = _context(request, index)
        template = "portal/finder/_results.html" if htmx else "portal/finder/_main.html"
        check = "1" if context.get("unknown") or context.get("choices") else ""
        return {"main": render_to_string(template, context), "check_place": check}

    fragments = registry_cache.cached_fragments(_fragment_key(request, index, htmx), render_fragments)
    if htmx:
        return _public(HttpResponse(fragments["main"]))
    context = {"main": fragments["main"], "check_place": fragments["check_place"]}
    context["crumbs"] = [(_("Find a service"), None)]
    return _public(render(request, "portal/finder/finder.html", context))


@require_safe
def municipality_suggest(request: HttpRequest) -> HttpResponse:
    """Up to 10 municipalities whose name starts with (then contains) the typed text, diacritics ignored, in
    Czech order, each with its district: ``<option>``s for a ``<datalist>`` (``?format=json``: JSON)."""
    text = (request.GET.get("q") or request.GET.get("obec") or "")[: finder.MAX_NAME_LENGTH]
    rows = finder.municipality_suggestions(text, SUGGESTION_LIMIT)
    if request.GET.get("format") == "json":
        data = [{"code": m.code, "name": m.name, "district": m.district, "label": m.label} for m in rows]
        return _public(JsonResponse({"results": data}))
    return _public(render(request, "portal/finder/_suggestions.html", {"rows": rows}))
