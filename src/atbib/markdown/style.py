"""A list's own style for the lines atbib writes into it, learnt from an entry already there.

A list that writes its papers ``**Title.** *A, B.* NeurIPS 2019. [pdf](url)`` should get new
papers written the same way, not in atbib's house style. The style of an entry in the
bold-title shape is read off its line: how its links are written (``[[label]](url)``,
``[[label](url)]`` or ``[label](url)``) and what the paper's own link is called (``pdf``,
``paper``, ``Paper``), whether the venue stands in parentheses or bare after the authors, and
whether the full stops go inside the bold and the italics or after them. A record is written
in that style only when the line reads back as the same record (the own link relabelled);
else, and for entries in any other shape, house style (:func:`~.entry.render_entry`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from atbib.document import Item
from atbib.links import is_primary_label
from atbib.markdown.entry import (
    escape_bold_title,
    parse_entry,
    render_author_list,
    render_entry,
)
from atbib.markdown.grammar import BOLD, link_tokens, without_decorations
from atbib.markup import escape_markdown
from atbib.model import SHOWN_FIELDS, Link, Record
from atbib.urls import clean_url

_LINK_FORMS = ("[[{label}]]({url})", "[[{label}]({url})]", "[{label}]({url})")
"""The ways of writing a link, in the order of :data:`~.grammar.ANY_LINK`'s alternatives."""


@dataclass(frozen=True, slots=True)
class LineStyle:
    """How a list writes a paper with a bold title (see the module docstring)."""

    link_form: str
    """A format of :data:`_LINK_FORMS`."""
    own_label: str
    """The label of the link to the paper itself (``pdf``, ``paper``)."""
    venue_in_parentheses: bool
    stops_inside: bool
    """``**Title.** *A, B.*`` rather than ``**Title**. *A, B*.``."""


def line_style(item: Item) -> LineStyle | None:
    """The style of an entry's line, when it is a paper in a bold-title shape other than
    house style, with a link of its own; ``None`` otherwise."""
    record = item.record
    if not record.kind.titled or not record.links or record.url:
        return None
    # An item may take several lines, and badges are no links of the work.
    body = without_decorations(" ".join(item.text[len(item.prefix) :].split()))
    bold = BOLD.match(body)
    first = next(link_tokens(body), None)
    if bold is None or first is None:
        return None
    form = next(i for i in (0, 2, 4) if first.group(i + 2) is not None)
    label = record.links[0].label
    if not is_primary_label(label):
        return None
    venue = record.venue.text if record.venue is not None else ""
    at = body.find(venue) if venue else -1
    in_parentheses = not venue or (at > 0 and body[at - 1] in "(（")
    if form == 0 and in_parentheses:
        return None  # atbib's own links and venue: house style, whatever the spacing
    stops_inside = not bold.group(2).lstrip().startswith(".")
    return LineStyle(_LINK_FORMS[form // 2], label, in_parentheses, stops_inside)


def render_in_style(record: Record, style: LineStyle | None) -> tuple[str, Record]:
    """The line for a record in a list's style, and the record the line reads back as (its
    own link labelled as the list labels it); house style when the record is no paper with
    a link of its own, or when the styled line would not read back as that record."""
    if style is None or not record.kind.titled or not record.links or record.url:
        return render_entry(record), record
    own, *rest = record.links
    if is_primary_label(own.label):
        record = replace(record, links=(Link(style.own_label, own.url), *rest))
    line = _styled_line(record, style)
    back = parse_entry(line, record.sections[0] if record.sections else ()).record
    if back is None or any(getattr(back, f) != getattr(record, f) for f in SHOWN_FIELDS):
        return render_entry(record), record
    return line, record


def _styled_line(record: Record, style: LineStyle) -> str:
    stop_in, stop_out = (".", "") if style.stops_inside else ("", ".")
    parts = [f"**{escape_bold_title(record.title)}{stop_in}**{stop_out}"]
    if record.authors:
        parts.append(f"*{render_author_list(record.authors)}{stop_in}*{stop_out}")
    if record.venue is not None:
        venue = escape_markdown(record.venue.text)
        parts.append(f"({venue})" if style.venue_in_parentheses else f"{venue}.")
    parts += [
        style.link_form.format(label=escape_markdown(link.label), url=clean_url(link.url))
        for link in record.links
    ]
    if record.nickname:
        parts.append(f"(**{escape_markdown(record.nickname)}**)")
    if record.description:
        parts.append(f"- {escape_markdown(record.description, math=True)}")
    return " ".join(parts)
