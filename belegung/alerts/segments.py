"""How many SMS segments a text costs (GSM 03.38 septets or UCS-2 code units).

No maintained library does this (STACK-NOTES, "SMS, more"), and an alert split into three
parts arrives late and out of order on old phones, so every template is checked with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The GSM 03.38 basic table, in code order, without ESC (0x1B): ESC only introduces the
# extension table and is not a character a text can contain. It has capital Ç but no ç.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Reached through ESC: each costs two septets, and the pair never straddles two segments.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE = 160
GSM7_PART = 153  # 7 septets of each part go to the concatenation header
UCS2_SINGLE = 70
UCS2_PART = 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SegmentCount:
    """`units` are septets (GSM-7) or UTF-16 code units (UCS-2)."""

    encoding: Encoding
    units: int
    segments: int


def _fill(sizes: list[int], single: int, part: int) -> int:
    """Segments needed for characters of the given sizes, none split across two parts."""
    if sum(sizes) <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments


def count_segments(text: str) -> SegmentCount:
    """Encoding, length and segment count of `text` as a phone network sends it.

    An empty text is still one (empty) message.
    """
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        sizes = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SegmentCount("GSM-7", sum(sizes), _fill(sizes, GSM7_SINGLE, GSM7_PART))
    # Characters beyond the Basic Multilingual Plane (most emoji) are surrogate pairs: two
    # code units that must stay in one segment.
    sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SegmentCount("UCS-2", sum(sizes), _fill(sizes, UCS2_SINGLE, UCS2_PART))
