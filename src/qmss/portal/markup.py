"""The one renderer of article bodies (web pages and the printed leaflets): a safe subset of Markdown.

- markdown-it-py in CommonMark mode with raw HTML **off**: ``<script>`` or any tag in the text stays text.
- Links only to ``http(s)://``, ``mailto:`` or relative addresses on this site; anything else (``javascript:``,
  ``data:``, protocol-relative ``//host``) is not a link (the text is shown as written).
- Images only from this site (relative addresses); an image from another origin is replaced by its alt text.
- Headings are shifted one level down (``#`` → ``<h2>``): the page's ``<h1>`` is the article's title.
- Bounded: at most :data:`MAX_CHARS` characters are rendered.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

MAX_CHARS = 100_000
LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def _is_relative(url: str) -> bool:
    if "\\" in url or url.startswith("//"):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


def is_allowed_link(url: str) -> bool:
    url = (url or "").strip()
    if not url:
        return False
    if _is_relative(url):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in LINK_SCHEMES:
        return False
    if parts.scheme.lower() == "mailto":
        return bool(parts.path) and "\\" not in url
    return bool(parts.netloc) and "\\" not in url


def _image(self, tokens, idx, options, env):
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    if not _is_relative(src):
        return escape(alt)
    return f'<img src="{escape(src)}" alt="{escape(alt)}">'


def _heading_open(self, tokens, idx, options, env):
    level = min(int(tokens[idx].tag[1]) + 1, 6)
    return f"<h{level}>"


def _heading_close(self, tokens, idx, options, env):
    level = min(int(tokens[idx].tag[1]) + 1, 6)
    return f"</h{level}>\n"


def _link_open(self, tokens, idx, options, env):
    token = tokens[idx]
    href = token.attrGet("href") or ""
    if not _is_relative(href) and not href.lower().startswith("mailto:"):
        token.attrSet("rel", "noopener noreferrer")
    return self.renderToken(tokens, idx, options, env)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = is_allowed_link  # type: ignore[method-assign]
    md.add_render_rule("image", _image)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    md.add_render_rule("link_open", _link_open)
    return md


def render(text: str) -> SafeString:
    """Render an article body (Markdown) to safe HTML; user text is never HTML."""
    source = (text or "")[:MAX_CHARS]
    return mark_safe(_parser().render(source))  # noqa: S308 - markdown-it escapes everything (html=False)


def plain_text(text: str, limit: int = 300) -> str:
    """A short plain-text excerpt of a body (for meta descriptions and search results)."""
    tokens = _parser().parse((text or "")[:MAX_CHARS])
    words: list[str] = []
    for token in tokens:
        if token.type == "inline":
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    words.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    words.append(" ")
            words.append(" ")
    result = " ".join("".join(words).split())
    if len(result) > limit:
        result = result[: limit - 1].rsplit(" ", 1)[0] + "…"
    return result
