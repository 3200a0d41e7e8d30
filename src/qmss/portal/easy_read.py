"""Easy-read (snadné čtení) pages of the portal: the topics are data, ``libraries/portal/easy-read.yaml``, read
through the core loader; each topic names the full page it simplifies (a URL name of the portal)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from qmss.core import libraries as lib

URN = "urn:qmss:portal:easy-read"
FILE = "easy-read.yaml"
TOPICS = ("co-jsou-socialni-sluzby", "jak-najit-sluzbu", "vase-prava", "neregistrovane-sluzby", "smlouva", "stiznost")


class EasyReadError(lib.LibraryError):
    """A problem in the easy-read library (file, line, field)."""


class SectionIn(lib.Schema):
    heading: lib.text(120)
    lines: lib.NonEmptyList[lib.text(200)]


class TopicIn(lib.Schema):
    slug: lib.text(60)
    title: lib.text(120)
    summary: lib.text(300)
    full_page: lib.text(60)
    full_page_label: lib.text(120)
    source: lib.text()
    verified: lib.Flag
    sections: lib.NonEmptyList[SectionIn]


class EasyReadIn(lib.Envelope):
    topics: lib.NonEmptyList[TopicIn]


@dataclass(frozen=True)
class Section:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    summary: str
    full_page: str
    full_page_label: str
    source: str
    verified: bool
    sections: tuple[Section, ...]

    @property
    def full_page_url(self) -> str | None:
        """The full page this topic simplifies; None while that page does not exist."""
        try:
            return reverse(self.full_page)
        except NoReverseMatch:
            return None


def library_path() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "portal" / FILE


def read_topics(path: Path) -> tuple[Topic, ...]:
    """Read and check the library: every topic of :data:`TOPICS` exactly once, in that order."""
    library = lib.read_library(path, EasyReadIn, label=path.name, error=EasyReadError, urn=URN)
    slugs = [topic.slug for topic in library.data.topics]
    if tuple(slugs) != TOPICS:
        problem = _("the topics must be {topics}, in this order.").format(topics=", ".join(TOPICS))
        raise library.error(("topics",), problem)
    return tuple(
        Topic(
            slug=t.slug,
            title=t.title,
            summary=t.summary,
            full_page=t.full_page,
            full_page_label=t.full_page_label,
            source=t.source,
            verified=t.verified,
            sections=tuple(Section(s.heading, tuple(s.lines)) for s in t.sections),
        )
        for t in library.data.topics
    )


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> tuple[Topic, ...]:
    return read_topics(Path(path))


def topics(path: Path | None = None) -> tuple[Topic, ...]:
    path = path or library_path()
    return _cached(str(path), path.stat().st_mtime)


def topic(slug: str) -> Topic | None:
    return next((t for t in topics() if t.slug == slug), None)
