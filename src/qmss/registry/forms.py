"""Forms of the registry pages: catalogue filters (GET) and a new import (upload or official URL)."""

from __future__ import annotations

import codecs
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from qmss.core.collation import czech_sorted
from qmss.registry import selectors, selectors_capacity
from qmss.registry.models import DeliveryForm, ServiceKind, TargetGroup
from qmss.territory.models import Region

ANY = ("", _("Any"))
ALL_REGIONS = ("", _("All regions"))
ALL_ORPS = ("", _("All ORPs"))
ALL_KINDS = ("", _("All kinds"))
ALL_FORMS = ("", _("All delivery forms"))
ALL_TARGET_GROUPS = ("", _("All target groups"))
MUNICIPALITY_DATALIST_ID = "municipality-suggestions"
STATUS_CHOICES = [
    (selectors.STATUS_ACTIVE, _("Registered (active)")),
    (selectors.STATUS_ENDED, _("Ended")),
    (selectors.STATUS_ALL, _("All")),
]
SORT_CHOICES = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("kind", _("Kind of service")),
    ("provider", _("Provider")),
    ("date_from", _("Registered from (oldest first)")),
    ("-date_from", _("Registered from (newest first)")),
    ("-capacity", _("Registered capacity (largest first)")),
    ("capacity", _("Registered capacity (smallest first)")),
]
FILTER_FIELDS = ("q", "region", "orp", "municipality", "kind", "form", "target_group", "provider", "status", "sort")


class QuickSelect(forms.Select):
    """The markup of Django's ``Select`` built without the template engine.

    The catalogue's filters list 200+ ORPs: rendering each option through the widget templates cost about
    a third of the whole page. Only flat choices (no option groups) and one selected value are supported.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = self.format_value(value)
        parts = [format_html('<select name="{}"{}>', name, flatatt(self.build_attrs(self.attrs, attrs)))]
        found = False
        for option_value, label in self.choices:
            text = "" if option_value is None else str(option_value)
            is_selected = not found and text in selected
            found = found or is_selected
            parts.append(
                format_html('  <option value="{}"{}>{}</option>', text, " selected" if is_selected else "", label)
            )
        parts.append("</select>")
        return mark_safe("\n".join(parts))


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters; always bound to the query string, invalid values are reported and ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    region = forms.ChoiceField(label=_("Region"), required=False, widget=QuickSelect)
    orp = forms.TypedChoiceField(label=_("ORP"), required=False, coerce=int, empty_value=None, widget=QuickSelect)
    municipality = forms.CharField(
        label=_("Municipality"),
        required=False,
        max_length=100,
        help_text=_("Type a part of the name and choose from the list (or the six-digit municipality code)."),
    )
    kind = forms.ChoiceField(label=_("Kind of service"), required=False, widget=QuickSelect)
    form = forms.ChoiceField(label=_("Delivery form"), required=False, widget=QuickSelect)
    target_group = forms.ChoiceField(label=_("Target group"), required=False, widget=QuickSelect)
    provider = forms.CharField(label=_("Provider (name or IČO)"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Registration"), required=False, choices=STATUS_CHOICES, widget=QuickSelect)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES, widget=QuickSelect)

    def __init__(self, data=None, **kwargs):
        super().__init__(data if data is not None else {}, **kwargs)
        regions = czech_sorted(Region.objects.values_list("code", "name"), key=lambda row: row[1])
        self.fields["region"].choices = [ALL_REGIONS, *regions]
        # Without JS the ORPs of the chosen region are listed after the form is sent; with htmx the ORP list is
        # replaced as soon as the region changes (registry:catalogue_orps).
        region = self.data.get("region") or ""
        region = region if any(code == region for code, _name in regions) else ""
        self.fields["orp"].choices = [ALL_ORPS, *selectors_capacity.orp_choices(region)]
        kinds = ServiceKind.objects.values_list("code", "section", "name")
        self.fields["kind"].choices = [
            ALL_KINDS,
            *(
                (code, f"{name} (§{section})" if section else name)
                for code, section, name in czech_sorted(kinds, key=lambda row: row[2])
            ),
        ]
        forms_ = czech_sorted(DeliveryForm.objects.values_list("code", "name"), key=lambda row: row[1])
        self.fields["form"].choices = [ALL_FORMS, *forms_]
        groups = czech_sorted(TargetGroup.objects.values_list("code", "name"), key=lambda row: row[1])
        self.fields["target_group"].choices = [ALL_TARGET_GROUPS, *groups]
        self.fields["region"].widget.attrs.update(
            {
                "hx-get": reverse("registry:catalogue_orps"),
                "hx-trigger": "change",
                "hx-target": "#id_orp",
                "hx-swap": "innerHTML",
                "hx-push-url": "false",
            }
        )
        self.fields["municipality"].widget.attrs.update(
            {
                "list": MUNICIPALITY_DATALIST_ID,
                "autocomplete": "off",
                "hx-get": reverse("registry:municipality_suggestions"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{MUNICIPALITY_DATALIST_ID}",
                "hx-swap": "innerHTML",
                "hx-include": "#id_region, #id_orp",
                "hx-push-url": "false",
                "hx-sync": "this:replace",
            }
        )

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("municipality") or ""
        cleaned["municipality"] = ""
        cleaned["municipality_codes"] = ()
        if text and "municipality" not in self.errors:
            codes = selectors_capacity.municipality_codes_named(
                text, region_code=cleaned.get("region") or "", orp=cleaned.get("orp")
            )
            if codes:
                cleaned["municipality_codes"] = tuple(codes)
            else:
                self.add_error(
                    "municipality",
                    forms.ValidationError(
                        _("No municipality of this name was found (in the chosen region or ORP)."), code="unknown"
                    ),
                )
        return cleaned

    def filters(self) -> selectors.ServiceFilters:
        self.is_valid()
        return selectors.ServiceFilters.from_data(self.cleaned_data)

    def sort_key(self) -> str:
        self.is_valid()
        return self.cleaned_data.get("sort") or selectors.DEFAULT_SORT

    def query_string(self) -> str:
        """The filters as given (without the page number), for pagination and export links."""
        pairs = [(name, self.data.get(name)) for name in FILTER_FIELDS if self.data.get(name)]
        return urlencode(pairs)


def _looks_like_json_object(upload) -> bool:
    """The first bytes, after an optional UTF-8 BOM and whitespace, are ``{``."""
    upload.seek(0)
    head = upload.read(64 * 1024)
    upload.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    return head.lstrip(b" \t\r\n").startswith(b"{")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Registry file (JSON)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    download = forms.BooleanField(label=_("Download the file from the official URL"), required=False)
    dry_run = forms.BooleanField(
        label=_("Dry run: check the file and count the changes, but save nothing"), required=False
    )
    force = forms.BooleanField(
        label=_("I know: the file is the whole registry even though it holds far fewer services than the registry"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES)
        self.fields["file"].help_text = _("The open-data file of the MPSV registry (rpss.json), at most %(limit)s.") % {
            "limit": limit
        }
        self.fields["download"].help_text = settings.QMSS_REGISTRY_URL
        self.fields["force"].help_text = _(
            "Without this, an import whose valid records are fewer than %(share)s %% of the services in the registry "
            "is refused, so that a broken or partial file cannot end the services it lacks."
        ) % {"share": round(settings.QMSS_REGISTRY_MIN_SHARE * 100)}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        limit = settings.QMSS_REGISTRY_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); at most %(limit)s is allowed."),
                code="too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        if not upload.name.lower().endswith(".json"):
            raise forms.ValidationError(_("Upload a file with the extension .json."), code="not_json")
        if not _looks_like_json_object(upload):
            raise forms.ValidationError(
                _("The file is not a JSON file of the registry: it must start with “{”."), code="not_json"
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        has_file = bool(cleaned.get("file"))
        if "file" in self.errors:
            return cleaned
        if has_file and cleaned.get("download"):
            raise forms.ValidationError(
                _("Either upload a file or download it from the official URL, not both."), code="both"
            )
        if not has_file and not cleaned.get("download"):
            raise forms.ValidationError(_("Upload a file or choose to download it from the official URL."), code="none")
        return cleaned
