"""UTF-8 facts the token layer needs: where characters start, and which code
points a partial character can still become.

A token may end in the middle of a character (byte-fallback ``<0xE4>``, or a
byte-level BPE piece of a CJK character). The code points that share a byte
prefix form one contiguous range, so "can this partial character still become
an allowed one" is a single range-intersection test against a ``CharSet``.
"""

from __future__ import annotations

__all__ = ["char_at", "sequence_length", "partial_range", "split_complete"]


def sequence_length(lead: int) -> int:
    """Bytes in the character that starts with ``lead``; 0 if it cannot start one."""
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def char_at(data: bytes, pos: int) -> tuple[str, int] | None:
    """The complete character starting at byte ``pos`` and the position after it;
    ``None`` when none starts there (an unfinished, invalid or continuation byte)."""
    lead = data[pos]
    if lead < 0x80:
        return chr(lead), pos + 1
    end = pos + sequence_length(lead)
    if end == pos or end > len(data):
        return None
    try:
        return data[pos:end].decode("utf-8"), end
    except UnicodeDecodeError:
        return None


def _second_byte_ok(lead: int, second: int) -> bool:
    # Overlong forms, surrogates and code points above U+10FFFF are excluded by
    # narrowing the allowed range of the second byte.
    if lead == 0xE0:
        return 0xA0 <= second <= 0xBF
    if lead == 0xED:
        return 0x80 <= second <= 0x9F
    if lead == 0xF0:
        return 0x90 <= second <= 0xBF
    if lead == 0xF4:
        return 0x80 <= second <= 0x8F
    return 0x80 <= second <= 0xBF


def partial_range(prefix: bytes) -> tuple[int, int] | None:
    """The code points whose UTF-8 encoding starts with ``prefix`` (an incomplete
    character), as ``(lo, hi)``; ``None`` if no character starts that way."""
    n = sequence_length(prefix[0])
    if n < 2 or len(prefix) >= n:
        return None
    if len(prefix) >= 2 and not _second_byte_ok(prefix[0], prefix[1]):
        return None
    for b in prefix[2:]:
        if not 0x80 <= b <= 0xBF:
            return None
    lo = bytearray(prefix) + bytes([0x80]) * (n - len(prefix))
    hi = bytearray(prefix) + bytes([0xBF]) * (n - len(prefix))
    if len(prefix) == 1:
        # the second byte's own limits for this lead
        lo[1] = {0xE0: 0xA0, 0xF0: 0x90}.get(prefix[0], 0x80)
        hi[1] = {0xED: 0x9F, 0xF4: 0x8F}.get(prefix[0], 0xBF)
    return ord(bytes(lo).decode("utf-8")), ord(bytes(hi).decode("utf-8"))


def split_complete(data: bytes) -> tuple[bytes, bytes]:
    """Split ``data`` into the longest prefix that ends on a character boundary and
    the trailing bytes of an unfinished character (which may be empty)."""
    end = len(data)
    for back in range(1, min(4, end) + 1):
        b = data[end - back]
        if b & 0xC0 != 0x80:  # a lead byte (or ASCII)
            n = sequence_length(b)
            if n > back:
                return data[: end - back], data[end - back :]
            break
    return data, b""
