"""Reading frameworks: the list with counts, and the whole requirement tree of one version.

``framework_tree(framework)`` loads scales, scale values and requirements in 3 queries and caches the result
in-process. The cache key is (pk, checksum, loaded_at): a version used by an assessment never changes, and an
unused version changed in place gets a new checksum and loaded_at, so a stale tree is never served.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, IntegerField, Q, QuerySet, Value

from qmss.core import hooks
from qmss.frameworks.models import Framework, Requirement, Scale, ScaleValue

TREE_CACHE_SIZE = 32
_tree_cache: OrderedDict[tuple, FrameworkTree] = OrderedDict()
_tree_lock = threading.Lock()


@dataclass(frozen=True)
class FrameworkTree:
    """Everything about one framework version, read once: treat the objects as read-only."""

    framework_id: int
    requirements: tuple[Requirement, ...]  # in display order
    by_id: dict[int, Requirement]
    children: dict[int | None, list[Requirement]]  # parent id (None = roots) -> children in order
    scales: dict[int, Scale]
    values: dict[int, list[ScaleValue]]  # scale id -> values in order
    default_scale_id: int | None
    value_by_id: dict[int, ScaleValue] = field(default_factory=dict)

    @property
    def scales_by_key(self) -> dict[str, Scale]:
        return {scale.key: scale for scale in self.scales.values()}

    @property
    def default_scale(self) -> Scale | None:
        return self.scales.get(self.default_scale_id) if self.default_scale_id else None

    def scale_of(self, requirement: Requirement) -> Scale | None:
        """The requirement's own scale, else the framework's default scale."""
        return self.scales.get(requirement.scale_id) or self.default_scale

    def assessable(self) -> list[Requirement]:
        return [req for req in self.requirements if req.assessable]

    def ancestors(self, requirement: Requirement) -> list[Requirement]:
        """Parents from the nearest up to the root."""
        chain = []
        parent_id = requirement.parent_id
        while parent_id is not None and parent_id in self.by_id:
            parent = self.by_id[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        return chain


def _build_tree(framework: Framework) -> FrameworkTree:
    scales = {scale.pk: scale for scale in Scale.objects.filter(framework=framework).order_by("pk")}
    values: dict[int, list[ScaleValue]] = {pk: [] for pk in scales}
    value_by_id: dict[int, ScaleValue] = {}
    for value in ScaleValue.objects.filter(scale__framework=framework).order_by("scale_id", "order", "pk"):
        value.scale = scales[value.scale_id]  # no query when a caller follows value.scale
        values[value.scale_id].append(value)
        value_by_id[value.pk] = value
    requirements = tuple(Requirement.objects.filter(framework=framework).order_by("order", "pk"))
    children: dict[int | None, list[Requirement]] = {None: []}
    by_id = {}
    for req in requirements:
        by_id[req.pk] = req
        children.setdefault(req.pk, [])
        children.setdefault(req.parent_id, []).append(req)
    return FrameworkTree(
        framework_id=framework.pk,
        requirements=requirements,
        by_id=by_id,
        children=children,
        scales=scales,
        values=values,
        default_scale_id=framework.default_scale_id,
        value_by_id=value_by_id,
    )


def framework_tree(framework: Framework) -> FrameworkTree:
    """The requirement tree, scales and values of ``framework`` (≤ 3 queries, then cached in-process)."""
    key = (framework.pk, framework.checksum, framework.loaded_at, framework.default_scale_id)
    with _tree_lock:
        tree = _tree_cache.get(key)
        if tree is not None:
            _tree_cache.move_to_end(key)
            return tree
    tree = _build_tree(framework)
    with _tree_lock:
        _tree_cache[key] = tree
        while len(_tree_cache) > TREE_CACHE_SIZE:
            _tree_cache.popitem(last=False)
    return tree


def clear_tree_cache() -> None:
    with _tree_lock:
        _tree_cache.clear()


# ------------------------------------------------------------------------------------------- lists


def framework_list() -> QuerySet[Framework]:
    """All framework versions with counts (one query): top-level units (standards/areas), criteria, essential
    criteria, assessable requirements and the number of assessments that use the version."""
    units = Q(requirements__kind__in=[Requirement.Kind.STANDARD, Requirement.Kind.AREA])
    return Framework.objects.annotate(
        unit_count=Count("requirements", filter=units),
        criterion_count=Count("requirements", filter=Q(requirements__kind=Requirement.Kind.CRITERION)),
        essential_count=Count("requirements", filter=Q(requirements__essential=True, requirements__assessable=True)),
        assessable_count=Count("requirements", filter=Q(requirements__assessable=True)),
        assessment_count=framework_usage_expression(),
    ).order_by("short_name", "urn", "-version")


def framework_versions(framework: Framework) -> QuerySet[Framework]:
    return (
        Framework.objects.filter(urn=framework.urn)
        .only("pk", "urn", "version", "short_name", "is_latest", "valid_from", "valid_to", "loaded_at")
        .order_by("-version")
    )


def framework_usage_expression():
    """How many objects use each framework version, as one SQL expression over ``OuterRef("pk")``.

    The apps that use frameworks (assessments, …) contribute their counts through the core hook
    ``framework_usage_expression``; frameworks never imports them.
    """
    expressions = hooks.call_all("framework_usage_expression")
    if not expressions:
        return Value(0, output_field=IntegerField())
    total = expressions[0]
    for expression in expressions[1:]:
        total = total + expression
    return total


def assessment_count(framework: Framework) -> int:
    """How many objects use this framework version (the core hook ``framework_in_use``)."""
    return sum(hooks.call_all("framework_in_use", framework))


# ------------------------------------------------------------------------------------------- display tree


@dataclass
class Section:
    """A non-assessable node (group, standard, area) with its assessable rows and sub-sections."""

    node: Requirement
    level: int  # HTML heading level, 2–6
    rows: list[Any] = field(default_factory=list)  # assessable requirements, each passed through ``row``
    sections: list[Section] = field(default_factory=list)


def _rows(tree: FrameworkTree, node: Requirement) -> list[Requirement]:
    """An assessable node and, flattened after it, any assessable descendants it has."""
    rows = [node]
    for child in tree.children.get(node.pk, []):
        rows.extend(_rows(tree, child))
    return rows


def sections(
    tree: FrameworkTree, row: Callable[[Requirement], Any] = lambda req: req
) -> tuple[list[Section], list[Any]]:
    """The tree for display: sections for non-assessable nodes, and assessable roots (rarely any).
    ``row`` wraps each assessable requirement (e.g. with display notes); the cached objects stay untouched."""

    def build(node: Requirement, level: int) -> Section:
        section = Section(node=node, level=min(level, 6))
        for child in tree.children.get(node.pk, []):
            if child.assessable:
                section.rows.extend(row(req) for req in _rows(tree, child))
            else:
                section.sections.append(build(child, level + 1))
        return section

    roots = tree.children.get(None, [])
    loose = [row(req) for root in roots if root.assessable for req in _rows(tree, root)]
    return [build(root, 2) for root in roots if not root.assessable], loose
