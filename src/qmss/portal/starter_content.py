"""The starter content of the awareness campaign: Markdown files with a YAML front matter in
``libraries/portal/content/`` loaded as published articles (``is_starter``) of the ministry.

One file is one article (article, expert article, leaflet, poster, video or radio spot)::

    ---
    slug: letak-seniori              # the article's address (unique)
    kind: leaflet                    # article / expert / leaflet / poster / video / radio / film
    audiences: [public, families]    # codes of Audience
    category: services               # a code of Category
    title: …
    perex: …
    kind_codes: ["4", "13"]          # registry kind codes a leaflet or poster is about (may be empty)
    sources: ["Zákon č. 108/2006 Sb., § 91 – https://…"]
    verified: false                  # true only where the cited sources confirm the text
    valid_from: 2026-01-01           # published from
    transcript: |                    # required for video and radio spots
      …
    ---
    The body in Markdown (rendered by ``qmss.portal.markup.render``).

Loading is bounded (number and size of files, lengths of fields), every file is validated before anything is
written (a Czech message names the file, the line and the field) and everything is written in one transaction.
It is idempotent: an unchanged file writes nothing; a changed text writes a new approved revision that becomes the
published one. Article metadata (kind, audiences, category, kinds) follows the file. An article an editor has
revised since (its newest revision has an author) is left to the editors. The sources and the verification flag
are shown to readers at the end of the text ("ověřeno" / "neověřeno").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BeforeValidator, ValidationError, model_validator

from qmss.core import audit
from qmss.core import libraries as lib
from qmss.core.errors import QmssImportError, located_error
from qmss.core.models import Organisation
from qmss.core.roles import OrganisationKind
from qmss.portal.models import Article, ArticleRevision, Audience, Category

MAX_FILES = 200
MAX_FILE_BYTES = 200_000
MAX_KIND_CODES = 30
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KIND_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,20}$")  # as the editors' form accepts (actions_content.KIND_CODE)
SYSTEM_PUBLISHER = "Ministerstvo práce a sociálních věcí"
FRONT_MATTER = "---"


class StarterContentError(QmssImportError):
    """A starter content file is malformed; nothing was written."""


def _slug(value: Any) -> str:
    value = lib._text_value(value, max_length=120, blank=False, numbers=False, nullable=False)
    if not SLUG.match(value):
        raise ValueError(_("use lower-case letters without diacritics, digits and hyphens only."))
    return value


def _choices(allowed: list[str]):
    def check(value: Any) -> str:
        value = lib._text_value(value, max_length=40, blank=False, numbers=False, nullable=False)
        if value not in allowed:
            raise ValueError(_("must be one of: {choices}.").format(choices=", ".join(allowed)))
        return value

    return check


def _codes_of(allowed: list[str] | None):
    def check(value: Any) -> list[str]:
        codes = lib._codes(value) if value not in (None, []) else []
        if len(codes) > MAX_KIND_CODES:
            raise ValueError(_("is longer than {max} items.").format(max=MAX_KIND_CODES))
        for code in codes:
            if allowed is not None and code not in allowed:
                raise ValueError(_("must be one of: {choices}.").format(choices=", ".join(allowed)))
            if allowed is None and not KIND_CODE.match(code):
                raise ValueError(_("“{code}” is not a valid code of a kind of service.").format(code=code))
        return codes

    return check


Slug = Annotated[str, BeforeValidator(_slug)]
KindChoice = Annotated[str, BeforeValidator(_choices(list(Article.Kind.values)))]
CategoryChoice = Annotated[str, BeforeValidator(_choices(list(Category.values)))]
Audiences = Annotated[list[str], BeforeValidator(_codes_of(list(Audience.values)))]
KindCodes = Annotated[list[str], BeforeValidator(_codes_of(None))]


class FrontMatter(lib.Schema):
    slug: Slug
    kind: KindChoice
    audiences: Audiences
    category: CategoryChoice
    title: lib.text(200)
    perex: lib.text(1000)
    kind_codes: KindCodes = []
    sources: lib.NonEmptyList[lib.text(500)]
    verified: lib.Flag
    valid_from: lib.Day
    transcript: lib.text(50_000, blank=True) = ""

    @model_validator(mode="after")
    def _recordings_have_transcripts(self):
        if self.kind in Article.RECORDING_KINDS and not self.transcript:
            raise ValueError(_("a video or radio spot needs a transcript (key “transcript”)."))
        if not self.audiences:
            raise ValueError(_("name at least one audience (key “audiences”)."))
        return self


@dataclass(frozen=True)
class StarterItem:
    file: str
    meta: FrontMatter
    body: str

    @property
    def full_body(self) -> str:
        """The body with the sources and their verification state (shown to readers)."""
        label = "ověřeno" if self.meta.verified else "neověřeno"
        sources = "\n".join(f"- {source}" for source in self.meta.sources)
        return f"{self.body.strip()}\n\n## Zdroje ({label})\n\n{sources}\n"


def content_dir() -> Path:
    return Path(settings.BASE_DIR) / "libraries" / "portal" / "content"


def _key_line(node: yaml.Node | None, key: str) -> int | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node.start_mark.line + 1
    return None


def parse_file(path: Path, *, label: str | None = None) -> StarterItem:
    """One content file, validated; raises :class:`StarterContentError` naming the file, line and field."""
    file = label or path.name

    def fail(line: int | None, field: str, problem: str) -> StarterContentError:
        return located_error(StarterContentError, file, line, field, problem)

    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise fail(None, "", _("the file is larger than {max} bytes.").format(max=MAX_FILE_BYTES))
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fail(None, "", _("the file is not UTF-8 encoded; save it as UTF-8.")) from None
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER:
        raise fail(1, "", _("the file must start with a front matter between two lines “---”."))
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER)
    except StopIteration:
        raise fail(1, "", _("the front matter is not closed by a line “---”.")) from None
    header = "\n".join(lines[1:end])
    body = "\n".join(lines[end + 1 :])
    node, raw = lib.parse_yaml(header, lambda line, field, problem: fail(line + 1 if line else None, field, problem))
    if not isinstance(raw, dict):
        raise fail(2, "", _("the front matter must be a mapping of keys and values."))
    try:
        meta = FrontMatter.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = [part for part in error["loc"] if isinstance(part, str) and "[" not in part]
        field = str(loc[0]) if loc else ""
        line = (_key_line(node, field) + 1) if field and _key_line(node, field) else 2
        if error["type"] == "extra_forbidden":
            problem = _("unknown key; allowed: {keys}.").format(keys=", ".join(FrontMatter.model_fields))
        else:
            problem = lib._problem(error)
        raise fail(line, field, problem) from None
    if not body.strip():
        raise fail(end + 2, "", _("the text after the front matter is empty."))
    return StarterItem(file=file, meta=meta, body=body)


def read_all(directory: Path | None = None) -> list[StarterItem]:
    """Every content file of ``directory``, validated (nothing is written); slugs must be unique."""
    directory = directory or content_dir()
    paths = sorted(directory.glob("*.md"))
    if len(paths) > MAX_FILES:
        raise StarterContentError(
            _("Directory {dir}: more than {max} content files.").format(dir=directory.name, max=MAX_FILES)
        )
    items: list[StarterItem] = []
    seen: dict[str, str] = {}
    for path in paths:
        item = parse_file(path)
        if item.meta.slug in seen:
            raise located_error(
                StarterContentError,
                item.file,
                2,
                "slug",
                _("the address is already used by {file}.").format(file=seen[item.meta.slug]),
            )
        seen[item.meta.slug] = item.file
        items.append(item)
    return items


def publisher() -> Organisation:
    """The ministry organisation of the demo (or the first ministry); a system ministry when there is none."""
    ministries = Organisation.objects.filter(kind=OrganisationKind.MINISTRY).order_by("-is_demo", "pk")
    found = ministries.first()
    if found is not None:
        return found
    return Organisation.objects.create(kind=OrganisationKind.MINISTRY, name=SYSTEM_PUBLISHER)


def _publish_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _text_of(item: StarterItem) -> dict[str, str]:
    return {
        "title": item.meta.title,
        "perex": item.meta.perex,
        "body": item.full_body,
        "transcript": item.meta.transcript.strip(),
    }


def _meta_of(item: StarterItem) -> dict[str, Any]:
    return {
        "kind": item.meta.kind,
        "audiences": sorted(set(item.meta.audiences)),
        "category": item.meta.category,
        "kind_codes": list(dict.fromkeys(item.meta.kind_codes)),
    }


def _new_revision(article: Article, item: StarterItem, number: int, now: dt.datetime) -> ArticleRevision:
    return ArticleRevision.objects.create(
        article=article,
        number=number,
        status=ArticleRevision.Status.APPROVED,
        approved_at=now,
        note=_("Starter content from the file %(file)s") % {"file": item.file},
        **_text_of(item),
    )


def _apply(item: StarterItem, organisation: Organisation, now: dt.datetime) -> bool:
    """Create or update one article; True when something was written."""
    article = Article.objects.select_for_update().filter(slug=item.meta.slug).first()
    meta = _meta_of(item)
    if article is None:
        article = Article.objects.create(
            organisation=organisation,
            slug=item.meta.slug,
            state=Article.State.PUBLISHED,
            publish_at=_publish_at(item.meta.valid_from),
            approved_at=now,
            is_starter=True,
            **meta,
        )
        revision = _new_revision(article, item, 1, now)
        article.published_revision = revision
        article.save(update_fields=["published_revision"])
        return True
    if not article.is_starter:
        raise located_error(
            StarterContentError,
            item.file,
            2,
            "slug",
            _("an article of the editors already has this address; choose another one."),
        )
    newest = article.revisions.order_by("-number").first()
    if newest is not None and newest.author_id is not None:
        return False  # the editors have taken the article over
    changed = False
    if any(getattr(article, key) != value for key, value in meta.items()):
        for key, value in meta.items():
            setattr(article, key, value)
        changed = True
    text = _text_of(item)
    if newest is None or any(getattr(newest, key) != value for key, value in text.items()):
        revision = _new_revision(article, item, (newest.number + 1) if newest else 1, now)
        if article.state == Article.State.PUBLISHED or newest is None:
            article.published_revision = revision
            article.state = Article.State.PUBLISHED
            article.approved_at = now
            article.approved_by = None
        changed = True
    if changed:
        article.save()
    return changed


@audit.action
def _write(items: list[StarterItem]) -> int:
    organisation = publisher()
    now = timezone.now()
    return sum(1 for item in items if _apply(item, organisation, now))


def load_starter_content(directory: Path | None = None) -> int:
    """Create or update the starter articles; returns how many were created or changed (0 when up to date)."""
    items = read_all(directory)
    return _write(items)
