"""The placeholder syntax of response templates: ``{{ object.field }}`` from a fixed whitelist.

User-authored text is never handed to a template engine: placeholders are found with one regular
expression and replaced by plain strings, so nothing in a template can execute code, reach an
attribute that is not listed here, or loop. There are deliberately no emotion placeholders: what we
inferred about a customer's feelings never goes into the text sent to them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


def _first_word(value: str) -> str:
    words = (value or "").split()
    return words[0] if words else ""


def _date(value) -> str:
    return date_format(value, "j F Y") if value else ""


def _user_name(user) -> str:
    return (user.get_full_name() or "").strip() if user is not None else ""


#: placeholder -> (what it is, how to read it from the context). Nothing else can be used.
FIELDS: dict[str, tuple[str, Callable]] = {
    "contact.first_name": (_("The contact's first name"), lambda c: _first_word(c["contact"].name)),
    "contact.name": (_("The contact's full name"), lambda c: c["contact"].name),
    "contact.title": (_("The contact's job title"), lambda c: c["contact"].title),
    "account.name": (_("The account's name"), lambda c: c["account"].name),
    "account.renewal_date": (
        _("The account's renewal date, e.g. 12 March 2027"),
        lambda c: _date(c["account"].renewal_date),
    ),
    "account.manager_name": (_("The account manager's full name"), lambda c: _user_name(c["account"].account_manager)),
    "account.manager_first_name": (
        _("The account manager's first name"),
        lambda c: c["account"].account_manager.first_name if c["account"].account_manager else "",
    ),
    "agent.first_name": (_("The signed-in agent's first name"), lambda c: c["agent"].first_name),
    "agent.name": (_("The signed-in agent's full name"), lambda c: _user_name(c["agent"])),
}
ALLOWED = tuple(FIELDS)
#: Names that look like emotion data get their own refusal, so that the reason is plain.
EMOTION_WORDS = ("emotion", "sentiment", "score", "mood", "feeling", "valence", "intensity")

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")


def syntax_help() -> str:
    """The allowed placeholders, for error messages and help texts."""
    return ", ".join(f"{{{{ {name} }}}}" for name in ALLOWED)


def find_errors(text: str) -> list[str]:
    """Every problem with the placeholders in ``text`` (an empty list when it is valid)."""
    errors: list[str] = []
    text = text or ""
    if "{%" in text or "%}" in text:
        errors.append(str(_("Template tags ({% … %}) are not supported; use placeholders such as {{ account.name }}.")))
    # Remove the well-formed {{ … }} pairs; any brace pair left over is unbalanced.
    remainder = PLACEHOLDER.sub(" ", text)
    for stray in ("{{", "}}"):
        if stray in remainder:
            position = remainder.index(stray)
            near = remainder[max(0, position - 10) : position + 30].replace("\n", " ").strip()
            errors.append(str(_("Unbalanced braces near “%(near)s”: every {{ needs a closing }}.") % {"near": near}))
            break
    for found in PLACEHOLDER.finditer(text):
        raw = found.group(1)
        name = raw.strip()
        shown = "{{ " + name + " }}"
        if "{" in raw or "}" in raw:
            errors.append(str(_("Unbalanced braces in “%(raw)s”.") % {"raw": found.group(0)}))
        elif not name:
            errors.append(
                str(_("An empty placeholder {{ }}: name a field, one of %(allowed)s.") % {"allowed": syntax_help()})
            )
        elif any(word in name.lower() for word in EMOTION_WORDS):
            errors.append(
                str(
                    _(
                        "%(placeholder)s is not allowed: what we inferred about a customer's emotions is never put "
                        "into text sent to them. Allowed: %(allowed)s."
                    )
                    % {"placeholder": shown, "allowed": syntax_help()}
                )
            )
        elif not NAME.match(name) or name not in FIELDS:
            errors.append(
                str(
                    _("Unknown placeholder %(placeholder)s. Allowed: %(allowed)s.")
                    % {"placeholder": shown, "allowed": syntax_help()}
                )
            )
    return errors


def validate(text: str) -> None:
    """Raise ``ValidationError`` listing every placeholder problem in ``text``."""
    errors = find_errors(text)
    if errors:
        raise ValidationError(errors)


def placeholders_in(text: str) -> list[str]:
    """The known placeholders used in ``text``, in order of first use."""
    seen: list[str] = []
    for found in PLACEHOLDER.finditer(text or ""):
        name = found.group(1).strip()
        if name in FIELDS and name not in seen:
            seen.append(name)
    return seen


@dataclass(frozen=True)
class Rendered:
    """Text with its placeholders filled; those that could not be filled are left as written, and listed."""

    text: str
    missing: tuple[str, ...]


def context_for(*, account=None, contact=None, agent=None) -> dict:
    """The objects placeholders read from (any may be None: their placeholders stay unfilled)."""
    if agent is not None and not getattr(agent, "is_authenticated", False):
        agent = None
    return {"account": account, "contact": contact, "agent": agent}


def value_of(name: str, context: dict) -> str:
    """The text for one placeholder, or "" when the context does not have it."""
    root = name.split(".", 1)[0]
    if context.get(root) is None:
        return ""
    return str(FIELDS[name][1](context) or "").strip()


def render(text: str, context: dict) -> Rendered:
    """Fill ``text``'s placeholders from ``context`` by plain substitution (no template engine)."""
    missing: list[str] = []

    def fill(found: re.Match) -> str:
        name = found.group(1).strip()
        if name not in FIELDS:
            return found.group(0)  # saved templates are validated; this only guards older rows
        value = value_of(name, context)
        if not value:
            if name not in missing:
                missing.append(name)
            return "{{ " + name + " }}"
        return value

    return Rendered(text=PLACEHOLDER.sub(fill, text or ""), missing=tuple(missing))


def highlight(text: str) -> SafeString:
    """``text`` HTML-escaped, with every placeholder still in it wrapped in ``<mark>`` for the reader."""
    parts: list[str] = []
    last = 0
    for found in PLACEHOLDER.finditer(text or ""):
        parts.append(escape(text[last : found.start()]))
        parts.append(f'<mark class="responses-missing">{escape(found.group(0))}</mark>')
        last = found.end()
    parts.append(escape((text or "")[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def unfilled(text: str) -> list[str]:
    """The placeholders still present in ``text`` (a reply must not go out with them)."""
    return [found.group(0) for found in PLACEHOLDER.finditer(text or "")]
