"""Vietnamese text keys: one folding rule for matching, search and IRIs alike."""

import re
import unicodedata

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
