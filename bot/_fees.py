"""The fee calculator: flat rate + per-pupil rate × pupils, rates read from the content, working shown."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from content import Content, FeeBand

# Words that name a fee band; checked longest first. PRU needs a phase, which comes from other words.
_BAND_WORDS: tuple[tuple[str, str], ...] = (
    ("pupil referral unit", "pru"),
    ("alternative provision", "pru"),
    ("pru", "pru"),
    ("ap", "pru"),
    ("special school", "special"),
    ("special", "special"),
    ("sen school", "special"),
    ("send school", "special"),
    ("secondary", "secondary"),
    ("high school", "secondary"),
    ("academy", "secondary_maybe"),
    ("primary", "primary"),
    ("infant", "primary"),
    ("infants", "primary"),
    ("junior", "primary"),
    ("juniors", "primary"),
)
_PUPILS = re.compile(
    r"(?<![\d.£])(\d{1,3}(?:,\d{3})+|\d{1,5})(?![\d.%]|\s*%)\s*"
    r"(pupils?|kids|children|students|learners|on roll|nor|fte|places)?",
    re.I,
)
_OF_N = re.compile(r"\bof\s+(\d{1,3}(?:,\d{3})+|\d{1,5})\b", re.I)


@dataclass(frozen=True, slots=True)
class FeeRequest:
    """What a fee question told us: a band id (or 'pru' without a phase) and a pupil count, each maybe missing."""

    band: str | None
    pupils: int | None


def read_fee_request(text: str) -> FeeRequest:
    """Pick the school type and pupil count out of "a secondary of 900", "1,200 kids", "our PRU"."""
    lowered = " " + re.sub(r"[^\w,£%.\s]", " ", text.casefold()) + " "
    found: str | None = None
    for word, band in _BAND_WORDS:
        if re.search(rf"\b{re.escape(word)}\b", lowered):
            found = band
            break
    if found == "pru":
        if re.search(r"\b(secondary|ks3|ks4|key stage 3|key stage 4|high)\b", lowered):
            found = "pru_secondary"
        elif re.search(r"\b(primary|ks1|ks2|key stage 1|key stage 2)\b", lowered):
            found = "pru_primary"
    if found == "secondary_maybe":
        found = None
    return FeeRequest(found, _read_pupils(lowered))


def _read_pupils(lowered: str) -> int | None:
    of = _OF_N.search(lowered)
    if of:
        return int(of.group(1).replace(",", ""))
    best: int | None = None
    for match in _PUPILS.finditer(lowered):
        number = int(match.group(1).replace(",", ""))
        has_unit = bool(match.group(2))
        if not has_unit and 2020 <= number <= 2035:
            continue  # a year, not a roll
        if has_unit:
            return number
        best = number if best is None else best
    return best


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
        return content.say("fee_working_flat", band=band.name, flat=flat, total=total)
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
    currency = content.offer.fees.currency
    lines = []
    for band in content.offer.fees.bands:
        if band.per_pupil == 0:
            lines.append(content.say("fee_table_row_flat", band=band.name, flat=rate(band.flat_rate, currency)))
        else:
            lines.append(
                content.say(
                    "fee_table_row",
                    band=band.name,
                    flat=rate(band.flat_rate, currency),
                    per_pupil=rate(band.per_pupil_rate, currency),
                )
            )
    return "\n".join(lines)
