"""The finder's GET form: a situation in plain words, needs, a place, a target group and a form of delivery.

Every field is optional and bounded; unknown choices are dropped (a shared link with an old code still works).
"""

from __future__ import annotations

import importlib
import math

from django import forms
from django.utils.translation import gettext_lazy as _

from qmss.portal import finder

try:  # the situations part (H2) may not be there yet
    situations = importlib.import_module("qmss.portal.situations")
except ModuleNotFoundError as exc:  # pragma: no cover – only while the parts are built side by side
    if exc.name != "qmss.portal.situations":
        raise
    situations = None

MAX_SITUATION_LENGTH = 300
MAX_NEEDS = 10


def need_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return situations.need_choices() if situations is not None else []


def match_situation(text: str):
    if situations is None or not text:
        return None
    return situations.match_situation(text)


def phrasing_version():
    """The version of the situation library and the editors' phrasings (part of the finder's cache key)."""
    if situations is None:
        return None
    return situations.data_version()


def kinds_for_needs(codes) -> dict[str, list[str]]:
    if situations is None:
        return {}
    return situations.kinds_for_needs(codes)


def _coordinate(value: str | None, limit: float) -> float | None:
    try:
        number = float((value or "").replace(",", ".")[:20])
    except ValueError:
        return None
    if math.isnan(number) or math.isinf(number) or abs(number) > limit:
        return None
    return number


class FinderForm(forms.Form):
    situace = forms.CharField(
        label=_("Describe your situation in your own words"),
        required=False,
        max_length=MAX_SITUATION_LENGTH,
        help_text=_("For example: I need help caring for my mother at home."),
    )
    potreba = forms.MultipleChoiceField(label=_("What do you need help with?"), required=False)
    obec = forms.CharField(
        label=_("Municipality"),
        required=False,
        max_length=finder.MAX_NAME_LENGTH,
        help_text=_("Type the name of your municipality and pick it from the offer."),
    )
    skupina = forms.ChoiceField(label=_("Who is the help for?"), required=False)
    forma = forms.ChoiceField(label=_("Form of the service"), required=False)

    def __init__(self, data=None, *, index: finder.FinderIndex | None = None, **kwargs) -> None:
        needs = need_choices()
        groups, forms_ = finder.sorted_choices(index)
        group_choices = [("", _("anyone")), *groups]
        form_choices = [("", _("any form")), *forms_]
        self.lat = self.lon = None
        if data is not None:
            # Unknown choices are left out and long texts cut, instead of failing the whole search.
            data = data.copy()
            known = {code for _area, items in needs for code, _name in items}
            data.setlist("potreba", [c for c in data.getlist("potreba") if c in known][:MAX_NEEDS])
            for name, choices in (("skupina", group_choices), ("forma", form_choices)):
                if data.get(name) and data.get(name) not in dict(choices):
                    data[name] = ""
            data["situace"] = (data.get("situace") or "")[:MAX_SITUATION_LENGTH]
            data["obec"] = (data.get("obec") or "")[: finder.MAX_NAME_LENGTH]
            self.lat = _coordinate(data.get("lat"), 90)
            self.lon = _coordinate(data.get("lon"), 180)
        super().__init__(data, **kwargs)
        self.need_choices = needs
        self.fields["potreba"].choices = needs
        self.fields["skupina"].choices = group_choices
        self.fields["forma"].choices = form_choices
        self.fields["obec"].widget.attrs.update({"autocomplete": "off", "list": "finder-municipalities"})

    def clean_situace(self) -> str:
        return " ".join((self.cleaned_data.get("situace") or "").split())
