"""The fee calculator: flat rate + per-pupil rate × pupils, rates read from the content, working shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from rapidfuzz import fuzz, process

from content import Content, FeeBand

# School types as people write them → a fee band, or a marker resolved from other words:
# "pru" (needs a phase), "phase" (academy, middle: the phase decides), "through" (an all-through school: the
# secondary rate, unless its primary and secondary phases are named as schools of their own). Longest first.
_TYPES: tuple[tuple[str, str], ...] = (
    (r"\b(?:semh|sld|mld|pmld|asd|autism|autistic) schools?", "special"),
    (r"pupil referral units?|alternative provision|\bap\b|\bprus?\b|referral units?", "pru"),
    (
        r"special (?:educational )?needs schools?|\bsend? schools?|\bspecial(?:ist)? schools?|\bspecials\b"
        r"|\bspecial\b(?! (?:educational )?needs?)(?! provision)(?! school improvement)",
        "special",
    ),
    (r"all[- ]?through|through[- ]?schools?", "through"),
    (r"secondar(?:y|ies)|high schools?|\bsec\b|\bsecondry\b|upper schools?|\b11 ?- ?1[68] schools?", "secondary"),
    (r"primar(?:y|ies)|\bprim\b|infants?|juniors?|first schools?|\bjmi\b|\bi&j\b", "primary"),
    (r"academ(?:y|ies)|free schools?|middle schools?|\bmiddle\b", "phase"),
    (
        r"(?:sixth form |fe |further education )?colleges?|nurser(?:y|ies)|independent schools?|private schools?"
        r"|universit(?:y|ies)|\bfe\b",
        "none",
    ),
)
_TYPE_WORDS = ("primary", "secondary", "special", "academy", "infant", "junior", "referral", "through")
_REAL_WORDS = frozenset(
    "primarily academic academics specialist specialists secondment secondments senior specific special".split()
)
# What is not a pupil count: form entry, age ranges and ages, year groups, years, key stages, money, percentages.
_NOISE = re.compile(
    r"\b\d+(?:\.\d+)?\s*-?\s*(?:fe|f\.e\.|form(?:s)?(?:\s*-?\s*entry)?|form entry|classes?|forms?)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|single|double|triple)\s*-?\s*form(?:\s*-?\s*entry)?\b"
    r"|\b(?:ages?d?|aged)\s+\d{1,2}(?:\s*(?:-|–|to)\s*\d{1,2})?\b"
    r"|\b\d{1,2}\s*(?:-|–|to)\s*\d{1,2}\s*(?:years?|yrs?|y/?o)?\b(?!\s*(?:pupils?|kids|children|students|on roll))"
    r"|\b\d{1,2}\s*(?:years?|yrs?)\s*(?:old|olds)?\b|\b\d{1,2}\+"
    r"|\b(?:year|yr|y|years|yrs|ks|key stages?|q|question|section|area|v)\s*\d+(?:\.\d+)?"
    r"(?:\s*(?:/|-|–|&|and|to)\s*\d{1,2}\b(?![.,]\d))*\b"
    r"|\b\d+\s+(?:(?:primary|secondary|special|infant|junior)\s+)?(?:schools|primaries|secondaries|academies|sites|prus)\b"
    r"|\b\d+\s*(?:per|a|each|in each|every)\s+"
    r"(?:class(?:room)?|form|year(?: group)?|yr|year ?group|cohort|intake|group)s?\b"
    r"|£?\s*\d[\d,]*(?:\.\d+)?\s*(?:flat(?: rate)?|per (?:pupil|head|child|student))\b"
    r"|\b(?:post|pre)\s*-?\s*1[689]\b|\blevels?\s*\d\b|\b1[689]\s*\+|\b(?:under|over)\s*-?\s*\d+s?\b"
    r"|£\s*\d[\d,]*(?:\.\d+)?k?|\b\d[\d,]*(?:\.\d+)?\s*(?:%|per ?cent|k\b|m\b|pounds?|p\b)"
    r"|\b(?:19|20)\d{2}\s*(?:/|-|–)\s*\d{2,4}\b|\b\d+(?:st|nd|rd|th)\b|\b\d+\.\d+\b"
)
# "two primaries", "3 of our special schools", "both juniors": a count written just before a school type.
_COUNT_BEFORE = re.compile(
    r"\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|both)\s+(?:of\s+(?:our|the)\s+)?(?:[a-z]+\s+)?$"
)
_COUNT_AFTER = re.compile(  # "academy trust with 5 primaries": the kind named later, with its count
    r"[a-z ]*?\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(primar\w*|secondar\w*|special\w*|schools)\b"
)
_NUMBER_WORDS = {w: n for n, w in enumerate("two three four five six seven eight nine ten".split(), 2)} | {"both": 2}
_SHARED = re.compile(r"\b(?:between them|combined|altogether|in total across|across (?:the|both|all))\b")
_UNIT = r"(?:pupils?|kids|children|students|learners|on\s+(?:the\s+)?roll|nor|fte|places|on\s+role|puplis|pupills)"
_NUMBER = re.compile(
    rf"(?:\b(?:roll|nor|number on roll|headcount|pupils?|children|kids|students)\s*(?:of|is|=|:|at|around|about)?\s*)?"
    rf"(?<!\d)(?<!\d\.)(\d{{1,2}} \d{{3}}(?=\s*-?\s*{_UNIT})|\d{{1,3}}(?:,\d{{3}})+|\d{{1,5}})(?!\d|[.,]\d)"
    rf"(\s*-?\s*{_UNIT})?",
    re.I,
)
_LEAD = re.compile(
    r"\b(?:(?:roll|nor|number on roll|headcount)\s*(?:of|is|=|:|at|around|about)?"
    r"|(?:grew|grow|grows|growing|rise|rises|rose|rising|increase[sd]?|increasing|drop(?:s|ped)?|dropping"
    r"|fall(?:s|en)?|fell|falling|go(?:es)? (?:up|down)|went (?:up|down)|expand(?:s|ed)?|shrink(?:s)?|shrank"
    r"|reach(?:es|ed)?)(?:\s+(?:from\s+[\d,]+\s+)?to)?(?:\s+(?:about|around|approx\.?|c\.?|~))?)\s*$"
)
# D: a total given for one school ("1,200 + 300 sixth form = 1,500 total") is its roll
_TOTAL_AFTER = re.compile(
    r"^\s*-?\s*(?:pupils?|students|children|kids|learners)?\s*(?:in\s+)?(?:total|overall|altogether)\b"
)
_TOTAL_BEFORE = re.compile(r"(?:\btotal(?:\s+(?:of|is|roll|nor))?\s*[:=]?|(?:\+|\bplus\b|\bx\b|×)[^=]*=)\s*$")
_LISTED = re.compile(r"[\s,&+]*(?:and|or)?[\s,&+]*(?:\d{1,3}(?:,\d{3})+|\d{1,5})?[\s,&+]*(?:and|or)?[\s,&+]*")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_JUST_BEFORE = re.compile(r"[\d,]+\s*-?\s*(?:(?:pupils?|kids|children|students|learners|on roll|nor)\s*)?(?:-\s*)?")
# A part of the roll, not another school: "60 in nursery", "incl 200 in sixth form", "of which 90 in the ARP"
# ("420 in reception to Y6" and "1,100 in years 7-11" are the whole school)
_PART_OF_ROLL = re.compile(
    r"\b(?:(?:incl\.?|including|inc\.?|of which|with)\s+)?\d[\d,]*\s+(?:pupils?\s+|children\s+|students\s+)?"
    r"(?:in|at)\s+(?:the\s+|our\s+)?(?:nursery|sixth form|6th form|sen unit|arp|resource base)\b"
    r"|\b(?:incl\.?|including|inc\.?|of which)\s+\d[\d,]*\s+(?:nursery|sixth form|6th form|sen unit|arp)\b"
)


@dataclass(frozen=True, slots=True)
class FeeRequest:
    """What a fee question told us: a band id (or 'pru' without a phase) and a pupil count, each maybe missing."""

    band: str | None
    pupils: int | None
    schools: int = 1  # "two primaries of 420 each": how many such schools
    shared: bool = False  # "600 pupils between them": the roll is the schools' together


def read_fee_request(text: str) -> FeeRequest:
    """The first school a fee question describes: "a secondary of 900", "1,200 kids", "our PRU"."""
    requests = read_fee_requests(text)
    first = requests[0] if requests else FeeRequest(None, None)
    return FeeRequest(None, first.pupils) if first.band == "none" else first


def read_fee_requests(text: str) -> list[FeeRequest]:
    """Every school a fee question describes, in order: type and roll wherever they are, noise ignored.

    A band is a fee band id, "pru" (a PRU whose phase is not given), "none" (a college, nursery or
    independent school: no fee band), or None (type not given).
    """
    lowered = _clean(text)
    types = _find_types(lowered)
    rolls = _find_rolls(lowered, several=len(types) > 1)
    phase = _phase_hint(text.casefold())
    if not types and phase:  # "reception to year 6", "KS3 and KS4": the phase is the type
        types = [(phase, 0)]
    if not types:
        return [FeeRequest(None, n) for n, _ in rolls] or []
    if any(band != "none" for band, _ in types):  # "a primary with a nursery class": the primary decides
        types = [(band, at) for band, at in types if band != "none"]
    bands = [(_resolve(band, lowered, at, phase), at) for band, at in types]
    if len(bands) == 1 and len(rolls) > 1:  # "2 primaries, 210 and 420 pupils": one roll for each school
        return [FeeRequest(bands[0][0], n) for n, _ in rolls]
    return [
        replace(r, schools=_counted(lowered, at, r.band), shared=bool(_SHARED.search(lowered)))
        for r, at in _paired(lowered, bands, rolls)
    ]


def _counted(lowered: str, at: int, band: str | None = None) -> int:
    """How many schools of the type written at `at`: "two primaries", "3 special schools", "an academy trust
    with 5 primaries" (the count before the word that gave the phase), else 1."""
    later = _COUNT_AFTER.match(lowered[at : at + 48])
    if later and band and (later.group(2).startswith(band.removeprefix("pru_")[:5]) or later.group(2) == "schools"):
        return _counted(lowered, at + later.start(2), None)
    before = lowered[max(0, at - 24) : at]
    found = _COUNT_BEFORE.search(before)
    if found is None or re.search(
        r"\b(?:years?|yrs?|y|ks|key stage|ages?d?|form|fe|q|area)\s*$|\d\s*(?:-|/|to)\s*$", before[: found.start()]
    ):
        return 1
    word = found.group(1)
    count = int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return count if 1 < count <= 20 else 1


def _paired(
    lowered: str, bands: list[tuple[str | None, int]], rolls: list[tuple[int, int]]
) -> list[tuple[FeeRequest, int]]:
    """Each school type with its roll (and where the type is written)."""
    if not rolls:
        return [(FeeRequest(band, None), at) for band, at in bands]
    if len(bands) == 1:
        return [(FeeRequest(bands[0][0], n), bands[0][1]) for n, _ in rolls]
    if len(rolls) == 1:
        return [(FeeRequest(band, rolls[0][0]), at) for band, at in bands]
    out: list[tuple[FeeRequest, int]] = []
    used: set[int] = set()

    def distance(roll_at: int, type_at: int) -> int:
        """How far a roll is from a type: 0 written just before it ("a 420 primary"), else preferring one after it."""
        if roll_at < type_at and _JUST_BEFORE.fullmatch(lowered[roll_at:type_at]):
            return 0
        return abs(roll_at - type_at) + (0 if roll_at > type_at else 15)

    for band, at in bands:  # each type takes the nearest unused roll
        free = [(i, r) for i, r in enumerate(rolls) if i not in used]
        if not free:
            out.append((FeeRequest(band, None), at))
            continue
        i, (n, _) = min(free, key=lambda pair: distance(pair[1][1], at))
        used.add(i)
        out.append((FeeRequest(band, n), at))
    return out


def _clean(text: str) -> str:
    lowered = text.casefold().replace("’", "'").replace("–", "-").replace("—", "-")
    words = []
    for token in re.findall(r"[\w&'.,£%+/-]+|\S", lowered):
        bare = token.strip(".,!?;:'\"()")
        if len(bare) >= 5 and bare.isalpha() and bare not in _REAL_WORDS and bare not in _TYPE_WORDS:
            match = process.extractOne(bare, _TYPE_WORDS, scorer=fuzz.ratio, score_cutoff=83)
            if match:
                token = token.replace(bare, match[0])
        words.append(token)
    return " " + " ".join(words) + " "


def _find_types(lowered: str) -> list[tuple[str, int]]:
    found: list[tuple[int, int, str]] = []
    for pattern, band in _TYPES:
        for match in re.finditer(pattern, lowered):
            span = (match.start(), match.end())
            if any(s < span[1] and span[0] < e for s, e, _ in found):
                continue
            found.append((span[0], span[1], band))
    found.sort()
    merged: list[tuple[str, int]] = []
    previous_end = 0
    for start, end, band in found:
        between, previous_end = lowered[previous_end:start], end
        if merged and merged[-1][0] == band and re.fullmatch(r"[\s/()-]*(?:or)?[\s/()-]*", between):
            continue  # "SEN school / special": one school named twice
        if merged and band == "phase":
            continue  # "primary academy": the phase already named it
        if merged and merged[-1][0] == "phase":
            merged[-1] = (band, merged[-1][1])
            continue
        if merged and band == "pru" and merged[-1][0] in {"primary", "secondary"} and start - merged[-1][1] < 25:
            merged[-1] = ("pru_" + merged[-1][0], merged[-1][1])
            continue
        if merged and merged[-1][0] == "pru" and band in {"primary", "secondary"} and start - merged[-1][1] < 25:
            merged[-1] = ("pru_" + band, merged[-1][1])
            continue
        merged.append((band, start))
    named = {band for band, _ in merged}
    if "through" in named and {"primary", "secondary"} <= named:  # "all-through: primary phase 420, secondary ..."
        merged = [(band, at) for band, at in merged if band != "through"]
    return [("secondary" if band == "through" else band, at) for band, at in merged]


def _resolve(band: str, lowered: str, at: int, phase: str | None) -> str | None:
    if band == "pru":
        return f"pru_{phase}" if phase else "pru"
    if band == "phase":
        return phase
    return band


def _phase_hint(lowered: str) -> str | None:
    """primary/secondary from key stages, year groups or an age range, for PRUs and academies."""
    if re.search(
        r"\b(?:ks ?[345]|key stage [345]|(?:y|yrs?|years?) ?(?:[789]|1[0-3])|secondary|high[- ]?schools?|gcses?"
        r"|post[- ]?16)\b",
        lowered,
    ):
        return "secondary"
    if re.search(
        r"\b(?:ks ?[12]|key stage [12]|(?:y|yrs?|years?) ?[1-6]|(?:years?|yr) r|reception|primary|infants?|juniors?"
        r"|eyfs)\b",
        lowered,
    ):
        return "primary"
    ages = re.search(r"\b(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\b", lowered)
    if ages:
        low, high = int(ages.group(1)), int(ages.group(2))
        if high <= 11:
            return "primary"
        if low >= 11:
            return "secondary"
    return None


def _find_rolls(lowered: str, several: bool) -> list[tuple[int, int]]:
    """(pupils, position) for every number that is a roll; for one school, numbers with a unit beat bare ones."""
    masked = _NOISE.sub(lambda m: " " * len(m.group(0)), lowered)
    masked = _PART_OF_ROLL.sub(lambda m: " " * len(m.group(0)), masked)
    with_unit: list[tuple[int, int]] = []
    bare: list[tuple[int, int, int]] = []
    totals: list[tuple[int, int]] = []
    for match in _NUMBER.finditer(masked):
        if re.search(r"(?:^|[\s(])[-−]$", masked[max(0, match.start(1) - 2) : match.start(1)]):
            continue  # "-50 pupils": no school has a negative roll (asked for again)
        number = int(re.sub(r"[ ,]", "", match.group(1)))
        unit = bool(match.group(2)) or bool(_LEAD.search(masked[: match.start(1)]))
        if not unit and _YEAR.match(match.group(1)):
            continue
        if not (1 if unit else 10) <= number <= 5000:  # a bare "2" ("L2", "2 sites") is no school's roll
            continue
        if _TOTAL_AFTER.match(masked[match.end(1) :]) or _TOTAL_BEFORE.search(masked[: match.start(1)]):
            totals.append((number, match.start(1)))
        if unit:
            with_unit.append((number, match.start(1)))
        else:
            bare.append((number, match.start(1), match.end(1)))
    if several:
        return sorted(with_unit + [(n, at) for n, at, _ in bare], key=lambda pair: pair[1])
    if totals:  # "1,200 in 11-16 plus 300 sixth form = 1,500 total": the total is the roll
        return totals[-1:]
    # "300 and 450 pupils": a bare number listed with one that has a unit shares it
    listed = [
        (n, at)
        for n, at, end in bare
        if any(_LISTED.fullmatch(masked[end:unit_at]) for _, unit_at in with_unit if unit_at > at)
    ]
    return sorted(with_unit + listed, key=lambda pair: pair[1]) if with_unit else [(n, at) for n, at, _ in bare]


def money(amount: Decimal, currency: str) -> str:
    """£6,884.40; whole pounds without pence (£4,461)."""
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        return f"{currency}{int(amount):,}"
    return f"{currency}{amount:,.2f}"


def rate(written: str, currency: str) -> str:
    """A rate exactly as the source writes it, with the currency sign: £4,461, £5.77."""
    return f"{currency}{written}"


def subscription(band: FeeBand, pupils: int | None) -> Decimal:
    """Flat rate + per-pupil rate × pupils (pupils may be None when the band has no per-pupil part)."""
    return band.flat + band.per_pupil * (pupils or 0)


def working(content: Content, band: FeeBand, pupils: int | None) -> str:
    """The subscription with its working, e.g. 'Primary, 420 pupils: £4,461 + 420 × £5.77 = £6,884.40'."""
    currency = content.offer.fees.currency
    total = money(subscription(band, pupils), currency)
    flat = rate(band.flat_rate, currency)
    if band.per_pupil == 0:
        return content.say("fee_working_flat", band=band.name, flat=flat)
    return content.say(
        "fee_working",
        band=band.name,
        pupils=f"{pupils:,}",
        flat=flat,
        per_pupil=rate(band.per_pupil_rate, currency),
        total=total,
    )


def fee_table(content: Content) -> str:
    """The fee table as text lines: 'Primary: £4,461 flat + £5.77 per pupil'."""
    return "\n".join(fee_row(content, band) for band in content.offer.fees.bands)


def fee_row(content: Content, band: FeeBand) -> str:
    """One band's rates: 'Secondary: £6,762 flat rate + £5.77 per pupil'."""
    currency = content.offer.fees.currency
    if band.per_pupil == 0:
        return content.say("fee_table_row_flat", band=band.name, flat=rate(band.flat_rate, currency))
    return content.say(
        "fee_table_row",
        band=band.name,
        flat=rate(band.flat_rate, currency),
        per_pupil=rate(band.per_pupil_rate, currency),
    )
