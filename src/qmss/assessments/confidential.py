"""Which fields of assessments, results and findings are confidential to whom (see :mod:`qmss.core.confidential`).

The rules are the live pages' rules from :mod:`qmss.assessments.permissions`, not a second copy of them:

* an assessment is seen by whoever may open it (:func:`selectors.visible_assessments`);
* its working notes (``Assessment.internal_notes``, ``Result.internal_note``) only by its assessors
  (:func:`permissions.can_see_internal_notes`);
* its results – rating, score, comment, linked evidence – and findings only by whoever may see its results
  (:func:`permissions.can_see_results`: for an audit, the assessors until it is published).

Predicates take the live object or an audit-log entry about it; an entry is resolved to its assessment through
``additional_data["assessment_id"]`` (recorded by the models), else through the live object or the stored
foreign keys. An entry that cannot be resolved is shown to superusers only.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from qmss.assessments import permissions as perms
from qmss.assessments.models import Assessment, Finding, Result
from qmss.core import confidential
from qmss.core.scoping import Scope

_ASSESSMENT_ATTR = "_qmss_assessment"
_VISIBLE_ATTR = "_qmss_visible_for"


def _fk_id(entry: LogEntry, name: str) -> int | None:
    """The id stored for foreign key ``name`` in an entry's changes (a creation or deletion records all)."""
    values = (entry.changes_dict or {}).get(name)
    if not isinstance(values, list):
        return None
    for value in reversed(values):
        if value not in (None, "None", "") and str(value).isdigit():
            return int(value)
    return None


def _assessment_id(entry: LogEntry, model, live: dict) -> int | None:
    if model is Assessment:
        return int(entry.object_pk) if str(entry.object_pk).isdigit() else None
    stored = (entry.additional_data or {}).get("assessment_id")
    if isinstance(stored, int):
        return stored
    key = (model, entry.object_pk)
    if key in live:
        return live[key]
    if model is Result:
        return _fk_id(entry, "assessment")
    result_id = _fk_id(entry, "result")
    return live.get((Result, str(result_id))) if result_id is not None else None


def prefetch(scope: Scope, entries: list) -> None:
    """Attach to each log entry its assessment (or None), and note which of them the scope may open – a
    constant number of queries for any number of entries."""
    pending = [e for e in entries if _ASSESSMENT_ATTR not in e.__dict__]
    if not pending:
        return
    models = {e.pk: e.content_type.model_class() for e in pending}
    # Entries written before the models recorded ``assessment_id``: look at the live objects.
    legacy = [e for e in pending if models[e.pk] is not Assessment and "assessment_id" not in (e.additional_data or {})]
    live: dict = {}
    if legacy:
        result_ids = {e.object_pk for e in legacy if models[e.pk] is Result}
        result_ids |= {str(_fk_id(e, "result")) for e in legacy if models[e.pk] is Finding}
        for pk, assessment_id in Result.objects.filter(pk__in=[i for i in result_ids if i.isdigit()]).values_list(
            "pk", "assessment_id"
        ):
            live[(Result, str(pk))] = assessment_id
        finding_ids = [e.object_pk for e in legacy if models[e.pk] is Finding and e.object_pk.isdigit()]
        for pk, assessment_id in Finding.objects.filter(pk__in=finding_ids).values_list("pk", "result__assessment_id"):
            live[(Finding, str(pk))] = assessment_id
    ids = {e.pk: _assessment_id(e, models[e.pk], live) for e in pending}
    wanted = {i for i in ids.values() if i is not None}
    assessments = Assessment.objects.in_bulk(wanted)
    _note_visible(scope, list(assessments.values()))
    for entry in pending:
        entry.__dict__[_ASSESSMENT_ATTR] = assessments.get(ids[entry.pk])


def _note_visible(scope: Scope, assessments: list[Assessment]) -> None:
    from qmss.assessments.selectors import visible_assessments

    unknown = [a for a in assessments if scope not in a.__dict__.get(_VISIBLE_ATTR, {})]
    if not unknown:
        return
    visible = set(visible_assessments(scope).filter(pk__in=[a.pk for a in unknown]).values_list("pk", flat=True))
    for assessment in unknown:
        assessment.__dict__.setdefault(_VISIBLE_ATTR, {})[scope] = assessment.pk in visible


def _assessment_of(scope: Scope, target) -> Assessment | None:
    if isinstance(target, LogEntry):
        if _ASSESSMENT_ATTR not in target.__dict__:
            prefetch(scope, [target])
        assessment = target.__dict__[_ASSESSMENT_ATTR]
    elif isinstance(target, Assessment):
        assessment = target
    elif isinstance(target, Result):
        assessment = target.assessment
    elif isinstance(target, Finding):
        assessment = target.result.assessment
    else:
        return None
    if assessment is not None:
        _note_visible(scope, [assessment])
    return assessment


def _opens(scope: Scope, assessment: Assessment) -> bool:
    return assessment.__dict__[_VISIBLE_ATTR][scope]


# --- the predicates ---------------------------------------------------------------------------------------


def may_open_assessment(scope: Scope, target) -> bool:
    assessment = _assessment_of(scope, target)
    if assessment is None:
        return scope.is_superuser
    return _opens(scope, assessment)


def may_see_results(scope: Scope, target) -> bool:
    assessment = _assessment_of(scope, target)
    if assessment is None:
        return scope.is_superuser
    return _opens(scope, assessment) and perms.can_see_results(scope, assessment)


def may_see_working_notes(scope: Scope, target) -> bool:
    assessment = _assessment_of(scope, target)
    if assessment is None:
        return scope.is_superuser
    return _opens(scope, assessment) and perms.can_see_internal_notes(scope, assessment)


def exclude_hidden_results(scope: Scope, entries: QuerySet) -> QuerySet:
    """Drop from a log, in the query, the entries about results and findings the scope may not see."""
    if scope.is_superuser:
        return entries
    content_types = list(ContentType.objects.get_for_models(Result, Finding).values())
    mentioned = {
        i
        for i in entries.filter(content_type__in=content_types)
        .order_by()
        .values_list("additional_data__assessment_id", flat=True)
        .distinct()
        if isinstance(i, int)
    }
    if not mentioned:
        return entries
    assessments = list(Assessment.objects.filter(pk__in=mentioned))
    _note_visible(scope, assessments)
    shown = {a.pk for a in assessments if _opens(scope, a) and perms.can_see_results(scope, a)}
    hidden = sorted(mentioned - shown)  # including assessments that no longer exist
    if not hidden:
        return entries
    return entries.exclude(content_type__in=content_types, additional_data__assessment_id__in=hidden)


RESULT_FIELDS = ("value", "score", "comment", "evidence")
FINDING_FIELDS = ("kind", "text", "measure", "deadline")


def register() -> None:
    """Called from :meth:`AssessmentsConfig.ready`."""
    confidential.register(
        Assessment,
        row=may_open_assessment,
        fields={"internal_notes": may_see_working_notes},
        prefetch=prefetch,
    )
    confidential.register(
        Result,
        row=may_see_results,
        fields={"internal_note": may_see_working_notes, **dict.fromkeys(RESULT_FIELDS, may_see_results)},
        prefetch=prefetch,
        exclude_from_log=exclude_hidden_results,
    )
    confidential.register(
        Finding,
        row=may_see_results,
        fields=dict.fromkeys(FINDING_FIELDS, may_see_results),
        prefetch=prefetch,
    )
