"""No form shows Django's ``---------`` as its empty choice: every choice field of every QMSS form either has
a Czech empty label ("– vyberte –", "Celá organizace", "Všechny …") or uses ``CzechChoicesMixin``, which
replaces the dashes of the fields a ModelForm makes from model fields."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms

import qmss
from qmss.core.choice_fields import CzechChoicesMixin

DASHES = "---------"


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(qmss.__path__, "qmss."):
        last = module.name.rsplit(".", 1)[-1]
        if last.startswith("forms") or last.startswith("views"):
            importlib.import_module(module.name)
    importlib.import_module("qmss.urls")

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(
        {cls for cls in subclasses(forms.BaseForm) if cls.__module__.startswith("qmss.")},
        key=lambda cls: (cls.__module__, cls.__name__),
    )


def _dashed_fields(form_class) -> list[str]:
    found = []
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label is not None and str(field.empty_label) == DASHES:
                found.append(name)
        elif isinstance(field, forms.ChoiceField):
            choices = field.choices if not callable(field.choices) else []
            if any(str(label) == DASHES for _value, label in choices):
                found.append(name)
    return found


def test_no_form_offers_dashes_as_its_empty_choice():
    classes = _all_form_classes()
    assert len(classes) > 20, "the walk found the forms"
    offenders = {
        f"{cls.__module__}.{cls.__name__}": fields
        for cls in classes
        if not issubclass(cls, CzechChoicesMixin) and (fields := _dashed_fields(cls))
    }
    assert not offenders, f"forms with a '---------' empty choice: {offenders}"


@pytest.mark.django_db
def test_the_mixin_replaces_the_dashes_a_model_form_makes():
    from qmss.assessments.forms import AssessmentEditForm, FindingForm
    from qmss.assessments.models import Assessment

    finding_html = str(FindingForm().as_p())
    edit_html = str(AssessmentEditForm(instance=Assessment(kind=Assessment.Kind.INSPECTION), show_internal=True))
    for html in (finding_html, edit_html):
        assert DASHES not in html
        assert "– vyberte –" in html


@pytest.mark.django_db
def test_improvement_forms_render_without_dashes():
    from qmss.core.roles import OrganisationKind
    from qmss.improvement.forms import ActionForm, DraftFromAssessmentForm, PlanForm, ProcessForm
    from qmss.improvement.testing import make_plan
    from qmss.testing.factories import make_org

    organisation = make_org(OrganisationKind.PROVIDER, "Domov Bez Čárek")
    plan = make_plan(organisation)
    rendered = [
        str(ProcessForm(organisation=organisation)),
        str(PlanForm(organisation=organisation)),
        str(ActionForm(plan=plan)),
        str(DraftFromAssessmentForm(organisation=organisation)),
    ]
    for html in rendered:
        assert DASHES not in html
    assert "Celá organizace" in rendered[1], "a plan's empty service means the whole organisation"
