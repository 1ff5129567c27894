"""Vietnamese text keys: one folding rule for matching, search and IRIs alike."""

import re
import unicodedata
from functools import lru_cache

# Old-style tone placement ("hoà", "uỷ") → the modern placement ("hòa", "ủy"), so that
# both spellings of one word compare equal after NFC.
_TONE_VARIANTS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
# Only at the end of a syllable, and never after "q" ("quý" is already modern).
_TONE_RE = re.compile(
    r"(?<![qQ])(?:" + "|".join(_TONE_VARIANTS) + r")(?!\w)", re.IGNORECASE
)


def nfc(text: str) -> str:
    """Unicode NFC with the modern tone-mark placement."""
    text = unicodedata.normalize("NFC", text)

    def swap(m: re.Match) -> str:
        s = m.group(0)
        out = _TONE_VARIANTS[s.lower()]
        return out.upper() if s.isupper() else (out[0].upper() + out[1:] if s[0].isupper() else out)

    return _TONE_RE.sub(swap, text)


def strip_marks(text: str) -> str:
    """Drop diacritics (and đ → d) but keep case and every other character."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def fold(text: str) -> str:
    """Lower-case ASCII words separated by single spaces: the key for diacritic-free matching."""
    return " ".join(re.findall(r"[a-z0-9]+", strip_marks(nfc(text)).lower()))


def slug(text: str) -> str:
    """IRI-safe local name derived from a folded label."""
    return fold(text).replace(" ", "-") or "_"


# Vietnamese collation: base letters in the Vietnamese alphabet's order (ă after a, đ after d, ơ after ô,
# ư after u; f j w z where Latin puts them), then the tones in CLDR's order (none, huyền, hỏi, ngã, sắc,
# nặng), then case. Code-point order would put "Đảng ủy" after "Văn phòng".
_ALPHABET = {c: i for i, c in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def collation_key(text: str | None) -> str:
    """Sort key ordering Vietnamese text as a reader expects (`sorted(labels, key=collation_key)`):
    letters first by the alphabet, ties broken by tones, then by case; digits before letters. A string
    (the three levels one after the other), so comparing two keys is one string comparison."""
    keys = [_char_key(ch) for ch in nfc(text or "")]
    letters = "".join(chr(k[0]) for k in keys)
    tones = "".join(chr(k[1] + 1) for k in keys)
    return letters + "\x00" + tones + "\x00" + "".join(chr(k[2] + 1) for k in keys)


@lru_cache(maxsize=4096)
def _char_key(ch: str) -> tuple[int, int, int]:
    """(letter, tone, case) of one character for `collation_key`."""
    decomposed = unicodedata.normalize("NFD", ch.lower())
    tone = next((_TONES[m] for m in decomposed if m in _TONES), 0)
    base = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
    if base in _ALPHABET:
        letter = 1000 + _ALPHABET[base]
    elif ch.isdigit():
        letter = 100 + unicodedata.digit(ch, 0)
    elif ch.isspace() or unicodedata.category(ch)[0] in "PSZ":
        letter = 1  # separators: "Hà Nam" before "Hàm Yên"
    else:
        letter = min(2000 + ord(base[:1] or ch), 0x10FFFF)
    return letter, tone, 0 if ch.islower() or not ch.isalpha() else 1
