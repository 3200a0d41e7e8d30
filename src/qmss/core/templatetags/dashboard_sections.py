"""``{% render_section section %}``: one dashboard section (``qmss.core.dashboard.Section``) rendered by its
template with ``section`` and ``context`` (the section's own context) on top of the page's context.

``{% include section.template with context=section.context %}`` cannot do this: Django passes the include's
variables as keyword arguments to ``Context.push``, whose first parameter is itself named ``context``.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, section):
    compiled = context.template.engine.get_template(section.template)
    with context.update({"section": section, "context": section.context}):
        return compiled.render(context)
