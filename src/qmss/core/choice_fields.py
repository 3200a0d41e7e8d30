"""Choice fields whose options people read: names in Czech alphabetical order, and a Czech empty choice.

Django's default empty choice is ``---------``; QMSS never shows it. Use :data:`CHOOSE` (“– vyberte –”) for an
optional or not yet chosen value, or a label saying what the empty choice means (“Celá organizace”, “Všechny”).
:class:`CzechModelChoiceField` / :class:`CzechModelMultipleChoiceField` list their options in Czech order of the
option's label (:func:`qmss.core.collation.sort_key`): databases sort by code points, which puts “Česká Lípa”
after “Zlín”.
"""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from qmss.core.collation import sort_key

CHOOSE = _("– choose –")


def blank_choice(label=CHOOSE) -> list[tuple[str, str]]:
    """The empty first option of a choice list (instead of Django's ``---------``)."""
    return [("", label)]


def without_dashes(choices, label=CHOOSE) -> list:
    """``choices`` with Django's ``---------`` empty option replaced by ``label``."""
    return [("", label) if value == "" and str(text).strip("-") == "" else (value, text) for value, text in choices]


class CzechOrderIterator(ModelChoiceIterator):
    """The options of a model choice field sorted by their labels in Czech order (the empty choice first)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset
        if not queryset._prefetch_related_lookups:
            queryset = queryset.iterator()
        options = [self.choice(obj) for obj in queryset]
        yield from sorted(options, key=lambda option: sort_key(str(option[1])))


class CzechModelChoiceField(forms.ModelChoiceField):
    iterator = CzechOrderIterator

    def __init__(self, queryset=None, *, empty_label=CHOOSE, **kwargs):
        super().__init__(queryset, empty_label=empty_label, **kwargs)


class CzechModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = CzechOrderIterator


class CzechChoicesMixin:
    """A form mixin: every choice field's ``---------`` empty option becomes :data:`CHOOSE` (also the ones a
    ModelForm makes from model fields, which Django labels ``---------``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                if field.empty_label is not None and str(field.empty_label).strip("-") == "":
                    field.empty_label = CHOOSE
            elif isinstance(field, forms.ChoiceField):
                field.choices = without_dashes(field.choices)


__all__ = [
    "CHOOSE",
    "CzechChoicesMixin",
    "CzechModelChoiceField",
    "CzechModelMultipleChoiceField",
    "blank_choice",
    "without_dashes",
]
