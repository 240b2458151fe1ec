"""Fitting a slogan to a banner at build time, in millimetres.

The rule, for a banner of length L along the slogan and breadth B across it
(a banner taller than wide is set top to bottom):

1. The slogan is cut into phrases at spaces (half- or full-width).  Each
   phrase is a row of units: one character, with any punctuation glued to
   it (closing marks to the character before, opening marks to the one
   after), so a mark never starts a line or a phrase.  Commas, stops,
   brackets and quotes take half a character (the font's half-width
   forms); a run of Latin letters or digits is one unit, 0.6 character
   per letter.
2. Characters are as large as the breadth allows (72 % of B, leaving room
   above and below) unless the length is the limit: the ends keep a safety
   margin of 0.4 B each, letters are at least 0.12 character apart and
   phrases one character further apart than letters.
3. Space left over when the characters have reached their full size
   spreads the letters up to 0.6 character apart (phrases follow); what is
   still left stays at the ends, so a short slogan sits in the middle.
4. Characters smaller than 5 % of B cannot be read from the ground: that is
   an error, and :func:`needed_length` says how long the banner must be.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, replace

EM_OF_BREADTH = 0.72  # the largest character, as a share of the banner's breadth
END_MARGIN = 0.4  # safety margin at each end, as a share of the breadth
MIN_TRACKING, MAX_TRACKING = 0.12, 0.6  # space between letters, in characters
PHRASE_GAP = 1.0  # extra space between phrases, in characters
MIN_EM_OF_BREADTH = 0.05  # smaller characters are an error
HALF = 0.5  # a full-width mark set in its half-width form
LATIN = 0.6  # a Latin letter or digit, in characters

OPENING = set("（《〈「『【〔〖“‘([{<")
# Marks the CJK fonts set half wide with "halt"; any other mark keeps a full character.
HALF_MARKS = set("，。、；：！？（）《》〈〉「」『』【】〔〕〖〗“”‘’")


def is_mark(ch: str) -> bool:
    """Punctuation: it makes no tile sheet and is glued to a character."""
    return unicodedata.category(ch).startswith("P") or (ch.isascii() and not ch.isalnum()
                                                        and not ch.isspace())


def mark_width(ch: str) -> float:
    """A mark's advance in characters (over-estimating is safe, it only adds space)."""
    return HALF if ch in HALF_MARKS else LATIN if ch.isascii() else 1.0


def tile_characters(text: str) -> list[str]:
    """One sheet per character: spaces and punctuation make no sheet."""
    return [ch for ch in text if not ch.isspace() and not is_mark(ch)]


@dataclass(frozen=True)
class Part:
    text: str
    mark: bool  # set in the half-width form


@dataclass(frozen=True)
class Unit:
    """A character with its glued marks, placed along the banner."""

    parts: tuple[Part, ...]
    width: float  # along the banner, mm
    gap: float  # before this unit, mm (0 for the first)
    latin: bool = False

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)


@dataclass(frozen=True)
class SloganFit:
    em: float  # character size, mm
    units: tuple[Unit, ...]
    span: float  # length the slogan takes along the banner, mm
    tracking: float  # space between letters, mm
    vertical: bool
    breadth: float  # mm
    length: float  # mm
    min_span_em: float  # the slogan's length in characters at the tightest spacing

    @property
    def is_too_small(self) -> bool:
        return self.em < MIN_EM_OF_BREADTH * self.breadth

    @property
    def share_of_breadth(self) -> float:
        return self.em / self.breadth

    def scaled(self, factor: float) -> SloganFit:
        """The same layout drawn at 1:n (factor 1/n)."""
        units = tuple(replace(u, width=_r(u.width * factor), gap=_r(u.gap * factor)) for u in self.units)
        return replace(self, em=_r(self.em * factor), units=units, span=_r(self.span * factor),
                       tracking=_r(self.tracking * factor), breadth=self.breadth * factor,
                       length=self.length * factor)


def _r(value: float) -> float:
    return round(value, 2)


def split_units(text: str, vertical: bool = False) -> list[list[tuple[list[Part], float, bool]]]:
    """Phrases of units; each unit is (parts, width in characters, is Latin)."""
    phrases: list[list[tuple[list[Part], float, bool]]] = []
    pending: list[Part] = []  # opening marks waiting for their character
    for word in text.split():
        phrase: list[tuple[list[Part], float, bool]] = []
        for ch in word:
            width = mark_width(ch) if is_mark(ch) else LATIN if ch.isascii() else 1.0
            if ch in OPENING:
                pending.append(Part(ch, True))
            elif is_mark(ch):
                host = phrase or (phrases[-1] if phrases else None)
                if host and not pending:
                    parts, w, latin = host[-1]
                    host[-1] = (parts + [Part(ch, True)], w + width, latin)
                else:  # nothing before it: it waits for the next character
                    pending.append(Part(ch, True))
            elif ch.isascii() and not vertical and phrase and phrase[-1][2] and not pending:
                parts, w, _ = phrase[-1]  # a run of Latin letters or digits stays together
                phrase[-1] = (parts + [Part(ch, False)], w + LATIN, True)
            else:
                lead = sum(mark_width(p.text) for p in pending)
                char_width = 1.0 if vertical or not ch.isascii() else LATIN
                phrase.append((pending + [Part(ch, False)], lead + char_width,
                               ch.isascii() and not vertical))
                pending = []
        if phrase:
            phrases.append(phrase)
    if pending and phrases:  # opening marks at the very end: glue them to the last unit
        parts, w, latin = phrases[-1][-1]
        extra = sum(mark_width(p.text) for p in pending)
        phrases[-1][-1] = (parts + pending, w + extra, latin)
    return phrases


def fit_slogan(text: str, width_mm: float, height_mm: float) -> SloganFit:
    """Character size and spacing for one line of slogan on the banner (see the module doc)."""
    vertical = height_mm > width_mm
    length, breadth = max(width_mm, height_mm), min(width_mm, height_mm)
    phrases = split_units(text, vertical)
    widths = sum(w for phrase in phrases for _, w, _ in phrase)
    pairs = sum(len(p) - 1 for p in phrases)  # letter gaps inside phrases
    breaks = max(len(phrases) - 1, 0)  # phrase gaps

    def span_em(tracking: float) -> float:
        return widths + breaks * PHRASE_GAP + tracking * (pairs + breaks)

    usable = length - 2 * END_MARGIN * breadth
    tightest = span_em(MIN_TRACKING)
    em = min(EM_OF_BREADTH * breadth, usable / tightest) if tightest else EM_OF_BREADTH * breadth
    tracking = MIN_TRACKING
    if pairs + breaks and em * tightest < usable:
        tracking = min(MAX_TRACKING, (usable / em - widths - breaks * PHRASE_GAP) / (pairs + breaks))
    units = []
    for p, phrase in enumerate(phrases):
        for i, (parts, w, latin) in enumerate(phrase):
            gap = 0.0 if p == i == 0 else tracking if i else PHRASE_GAP + tracking
            units.append(Unit(tuple(parts), _r(w * em), _r(gap * em), latin))
    return SloganFit(_r(em), tuple(units), _r(em * span_em(tracking)), _r(tracking * em), vertical,
                     breadth, length, tightest)


def needed_length(fit: SloganFit) -> float:
    """The shortest banner (mm, rounded up to 10 cm) whose characters reach the minimum size."""
    need = fit.min_span_em * MIN_EM_OF_BREADTH * fit.breadth + 2 * END_MARGIN * fit.breadth
    return math.ceil(need / 100) * 100
