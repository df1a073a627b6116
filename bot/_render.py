"""Turning content into chat text: topic summaries, full text ("tell me more") and source labels."""

from __future__ import annotations

from bot._fees import fee_table
from content import ActivityArea, Content, Question

BULLET = "• "
SEP = " › "


def topic_title(content: Content, topic: str, short: bool = False) -> str:
    """A human title for a topic id (aims, fees, area:N, priority:<id>, pledges:<id>, …); short for buttons."""
    kind, _, ident = topic.partition(":")
    if short and kind in {"priority", "pledges"}:
        themes = content.vision.priorities if kind == "priority" else content.vision.pledge_themes
        label = "vision" if kind == "priority" else "pledges"
        return next((f"{t.title} ({label})" for t in themes if t.id == ident), topic)
    if kind == "area":
        area = content.area(int(ident)) if ident.isdecimal() else None
        return area.title if area else topic
    if kind == "priority":
        return next(
            (f"{content.vision.title}{SEP}{p.title}" for p in content.vision.priorities if p.id == ident), topic
        )
    if kind == "pledges":
        frame = content.vision.frames[0].heading
        return next((f"{frame}{SEP}{t.title}" for t in content.vision.pledge_themes if t.id == ident), topic)
    offer = content.offer
    return {
        "aims": offer.aims.heading,
        "convictions": offer.convictions.heading,
        "fees": offer.funding.heading,
        "external_membership": offer.external_membership.heading,
        "areas": offer.core_activity.heading,
        "contact": "Contact",
        "dates": content.consultation.title,
    }.get(topic, topic)


def _vision_topic(content: Content, topic: str) -> str | None:
    kind, _, ident = topic.partition(":")
    if kind == "priority":
        for priority in content.vision.priorities:
            if priority.id == ident:
                outcomes = "\n".join(BULLET + o for o in priority.outcomes)
                return _titled(f"{priority.title} – {content.vision.title}", [priority.aim, outcomes])
    if kind == "pledges":
        for theme in content.vision.pledge_themes:
            if theme.id == ident:
                pledges = "\n".join(BULLET + p for p in theme.pledges)
                return _titled(f"{theme.title} – {content.vision.frames[0].heading}", [theme.summary, pledges])
    return None


def _common_topic(content: Content, topic: str) -> str | None:
    """Topics whose summary and full text are the same: areas, contact, dates, the vision."""
    offer = content.offer
    if topic == "areas":
        titles = "\n".join(f"{a.number}. {a.title}" for a in offer.activity_areas)
        return _titled(offer.core_activity.heading, [offer.core_activity.intro, titles])
    if topic == "contact":
        contact = offer.contact
        return "\n".join([contact.organisation, *contact.address, contact.email, contact.website])
    if topic == "dates":
        consultation = content.consultation
        return content.say(
            "dates_answer",
            opens=f"{consultation.opens.day} {consultation.opens:%B %Y}",
            closes=f"{consultation.closes.day} {consultation.closes:%B %Y}",
            minutes=consultation.estimated_minutes,
            questions=sum(len(s.questions) for s in consultation.sections),
        )
    return _vision_topic(content, topic)


def topic_summary(content: Content, topic: str) -> str:
    """The short summary shown before a question: headlines only, each copied from the content."""
    common = _common_topic(content, topic)
    if common is not None:
        return common
    offer = content.offer
    if topic == "aims":
        bullets = "\n".join(BULLET + (a.tagline or a.text) for a in offer.aims.items)
        return _titled(offer.aims.heading, [offer.aims.statement, bullets])
    if topic == "convictions":
        return _titled(offer.convictions.heading, ["\n".join(BULLET + c.title for c in offer.convictions.items)])
    if topic == "fees":
        funding = offer.funding
        return _titled(funding.heading, [funding.paragraphs[2], funding.paragraphs[3], fee_table(content)])
    if topic == "external_membership":
        em = offer.external_membership
        return _titled(em.heading, [em.paragraphs[min(1, len(em.paragraphs) - 1)]])
    area = content.area(int(topic.split(":")[1]))
    assert area is not None  # topics are checked on load
    return _area_summary(area)


def topic_full(content: Content, topic: str) -> str:
    """The full text of a topic, every bullet included ("tell me more")."""
    common = _common_topic(content, topic)
    if common is not None:
        return common
    offer = content.offer
    if topic == "aims":
        bullets = "\n".join(BULLET + a.text + (f" – {a.tagline}" if a.tagline else "") for a in offer.aims.items)
        return _titled(offer.aims.heading, [offer.aims.statement, bullets])
    if topic == "convictions":
        bullets = "\n".join(f"{BULLET}{c.title} – {c.text}" for c in offer.convictions.items)
        return _titled(offer.convictions.heading, [bullets])
    if topic == "fees":
        funding = offer.funding
        return _titled(funding.heading, [*funding.paragraphs[:4], fee_table(content), funding.paragraphs[4]])
    if topic == "external_membership":
        em = offer.external_membership
        return _titled(em.heading, list(em.paragraphs))
    area = content.area(int(topic.split(":")[1]))
    assert area is not None
    return area_full(area)


def area_heading(area: ActivityArea) -> str:
    """'2. SEND and inclusion'."""
    return f"{area.number}. {area.title}"


def _area_summary(area: ActivityArea) -> str:
    headings = [g.heading for g in area.groups if g.heading]
    if headings:
        shown = [BULLET + h for h in headings]
    else:
        bullets = [b for g in area.groups for b in g.bullets]
        shown = [BULLET + b for b in bullets[:3]]
        if len(bullets) > 3:
            shown.append(f"(+{len(bullets) - 3} more)")
    return _titled(area_heading(area), [area.strapline or "", "\n".join(shown)])


def area_full(area: ActivityArea) -> str:
    """Every heading, paragraph and bullet of one activity area."""
    blocks = [area.strapline] if area.strapline else []
    for group in area.groups:
        lines = [group.heading] if group.heading else []
        if group.text:
            lines.append(group.text)
        lines += [BULLET + b for b in group.bullets]
        blocks.append("\n".join(lines))
    blocks += area.notes
    return _titled(area_heading(area), blocks)


def _titled(title: str, blocks: list[str]) -> str:
    return "\n\n".join([title, *[b for b in blocks if b]])


def question_summary(content: Content, question: Question, budget: int) -> str:
    """The summary before a question, within `budget` characters (the rest is behind "Tell me more").

    Every item is there (each aim, conviction, and each block of an activity area, by its heading or
    its bullets), all shortened alike at a word boundary when they do not fit; only if even that is too
    long are the last ones left out, counted ("(+2 more)").
    """
    offer, topic = content.offer, question.topic
    if topic == "aims":
        return _fitted(offer.aims.heading, [offer.aims.statement], [a.text for a in offer.aims.items], budget)
    if topic == "convictions":
        return _fitted(offer.convictions.heading, [], [c.title for c in offer.convictions.items], budget)
    if topic == "fees":
        return _fitted(offer.funding.heading, [fee_table(content)], [], budget)
    if topic == "external_membership":
        em = offer.external_membership
        return _fitted(em.heading, [em.paragraphs[min(1, len(em.paragraphs) - 1)]], [], budget)
    kind, _, ident = topic.partition(":")
    area = content.area(int(ident)) if kind == "area" and ident.isdecimal() else None
    if area is None:
        return topic_summary(content, topic)
    items = [i for g in area.groups for i in ([g.heading] if g.heading else g.bullets)]
    return _fitted(area_heading(area), [area.strapline or ""], items, budget)


_WIDTHS = (None, 160, 120, 100, 80, 64, 52, 44)  # how far items may be shortened, step by step


def _fitted(title: str, lead: list[str], items: list[str], budget: int) -> str:
    for count in range(len(items), 0, -1):
        for width in _WIDTHS:
            shown = [BULLET + _shorten(item, width) for item in items[:count]]
            if count < len(items):
                shown.append(f"(+{len(items) - count} more)")
            text = _titled(title, [*lead, "\n".join(shown)])
            if len(text) <= budget:
                return text
    return _titled(title, lead)


def _shorten(text: str, width: int | None) -> str:
    """The text, or its first words up to `width` characters and "…"."""
    if width is None or len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-/")
    return cut + "…"
