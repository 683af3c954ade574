"""Turn any raw message text into something safe to score.

``prepare`` never raises on bad input: ``None``, bytes in an unknown encoding, binary junk, HTML,
megabyte-long pastes, emoji-only messages and text in other languages all come back as a
``Prepared`` whose ``status`` says whether (and how) the text can be scored. Only plain stdlib is
used so it is cheap enough to run on every message before any engine sees it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

__all__ = ["OK", "TRUNCATED", "UNSCORABLE", "UNSUPPORTED_LANGUAGE", "Prepared", "prepare"]

OK = "ok"
TRUNCATED = "truncated"
UNSCORABLE = "unscorable"
UNSUPPORTED_LANGUAGE = "unsupported_language"
UNDETERMINED = "und"

_SCORABLE = frozenset({OK, TRUNCATED})


@dataclass(frozen=True, slots=True)
class Prepared:
    """The outcome of ``prepare``: cleaned text plus whether and why it can (not) be scored."""

    text: str
    status: str
    reason: str = ""
    flags: tuple[str, ...] = ()
    language: str = UNDETERMINED

    @property
    def scorable(self) -> bool:
        """True when an engine should score ``text`` ("ok" or "truncated")."""
        return self.status in _SCORABLE


# --------------------------------------------------------------------------------------------
# Character classes
# --------------------------------------------------------------------------------------------

# C0/C1 controls (minus the whitespace ones), NUL, U+FFFD from failed decoding, lone surrogates
# (they make the string unencodable, e.g. for the database) and the two non-characters.
_JUNK_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd\ud800-\udfff\ufffe\uffff]")
# Invisible format characters that only get in the way (zero-width space, BOM, soft hyphen, bidi
# overrides - the latter can also be used to disguise text). ZWJ/ZWNJ stay: emoji sequences and
# Persian/Indic spelling need them.
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_BINARY_SHARE = 0.10

_LETTER_RE = re.compile(r"[^\W\d_]")
_LATIN_RE = re.compile("[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
# Pictographic emoji blocks plus the older symbol blocks many emoji live in.
_EMOJI_CLASS = "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b05-\u2b55\u3030\u303d\u3297\u3299\u203c\u2049"
_EMOJI_RE = re.compile(f"[{_EMOJI_CLASS}]")
# ASCII emoticons carry emotion just like emoji (the lexicon engine scores them).
_EMOTICON_RE = re.compile(r"(?:[:;=][-'^]?[()\[\]DPpOo3*/\\|]|<3|</3|\bxD\b|\(:|\):)")
_PLACEHOLDER_RE = re.compile(r"\[[A-Z][A-Z_]*\]")  # [NAME], [RELIGION] in anonymised data

# Scripts that are not Latin, checked only when a text has non-Latin letters. Order matters for
# the language guess: kana decides Japanese even though Japanese text is mostly Han.
_SCRIPTS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("kana", "ja", re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")),
    ("hangul", "ko", re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("han", "zh", re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")),
    ("cyrillic", "ru", re.compile("[\u0400-\u052f]")),
    ("greek", "el", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("arabic", "ar", re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")),
    ("hebrew", "he", re.compile("[\u0590-\u05ff]")),
    ("devanagari", "hi", re.compile("[\u0900-\u097f]")),
    ("bengali", "bn", re.compile("[\u0980-\u09ff]")),
    ("tamil", "ta", re.compile("[\u0b80-\u0bff]")),
    ("thai", "th", re.compile("[\u0e00-\u0e7f]")),
    ("armenian", "hy", re.compile("[\u0530-\u058f]")),
    ("georgian", "ka", re.compile("[\u10a0-\u10ff]")),
)
_SCRIPT_LANGUAGE = {name: lang for name, lang, _pattern in _SCRIPTS}
# Japanese and Korean text legitimately mixes these; they are one "script" for mixing purposes.
_CJK_FAMILY = frozenset({"kana", "hangul", "han"})

# --------------------------------------------------------------------------------------------
# Language heuristic word lists
# --------------------------------------------------------------------------------------------


def _words(block: str) -> frozenset[str]:
    # Word tables are kept as blocks of prose: far easier to review than 150 quoted literals.
    return frozenset(block.split())


# ~150 very common English words: function words, contraction pieces (the tokenizer splits at
# apostrophes) and words customers use constantly. A share of these is a strong "English" signal.
_EN_WORDS = _words(
    """
    the a an and or but if then so because as of to in on at by for with from about into over after
    before up down out off than too very just not no yes is are was were be been being am do does did
    done have has had will would can could should may might must i me my mine you your yours he him
    his she her it its we us our they them their this that these those there here what which who whom
    whose when where why how all any some each every both more most much many other such only own same
    again also still even ever never now always really well get got go going went know think like want
    need make made see say said one time thing people way day good great thanks thank please sorry ok
    okay hi hello don doesn didn isn wasn aren won t s m re ve ll im dont cant lol yeah oh while until
    since though through under back new love hate bad help order service account
    """
)
_OTHER_WORDS_RAW: dict[str, str] = {
    "es": """el la los las un una unos de del que y en es por para con sin pero muy más mi mis tu su sus se
        lo le este esta esto eso ese como cuando donde porque qué también hay fue ser estoy está están tiene
        gracias hola nada todo yo ya sí""",
    "fr": """le la les un une des du de et est en que qui pas ne je tu il elle nous vous ils ce cette ces mon
        ma mes sa ses dans pour avec sur mais ou où très plus c j l qu n suis être avoir ai merci bonjour
        tout aussi au aux""",
    "de": """der die das und ist nicht ich du er sie es wir ihr ein eine einen dem den des mit von zu auf für
        aber oder sehr auch noch nur wie was wenn dass kein keine bin sind war hat haben danke bitte mein
        mir mich""",
    "pt": """o os um uma de do da dos das e é em na que não com para por mas muito mais eu você ele ela
        nós meu minha seu sua isso isto este esta está estou são foi obrigado obrigada também já tem ao
        pelo pela""",
    "it": """il lo la gli le un una uno di da del della che e è non per con ma mi ti si sono sei ho hai ha
        molto più anche questo questa come io tu lui lei noi voi grazie ciao perché nel nella alla""",
    "nl": """de het een en van ik je jij hij zij wij niet dat die op te met voor aan maar ook nog wel geen
        zijn heb heeft er om naar als dan bij mijn dank bedankt zeer erg veel goed""",
}
# Words shared with English say nothing about the other language; they count for English only.
# The result maps each word to the languages it is a function word of.
_OTHER_WORDS: dict[str, tuple[str, ...]] = {}
for _lang, _block in _OTHER_WORDS_RAW.items():
    for _word in _words(_block) - _EN_WORDS:
        _OTHER_WORDS[_word] = (*_OTHER_WORDS.get(_word, ()), _lang)
del _lang, _block, _word

_WORD_RE = re.compile(r"[^\W\d_]+")
_SHORT_TEXT_WORDS = 3
_MIN_FOREIGN_SHARE = 0.25

# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_HTML_TAGS = (
    "a|abbr|address|article|aside|b|blockquote|body|br|button|caption|center|code|col|div|dl|dd|dt|em|"
    "font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|input|label|li|link|main|meta|nav|noscript|"
    "ol|option|p|pre|q|s|script|section|select|small|span|strike|strong|style|sub|sup|svg|table|tbody|td|"
    "template|textarea|tfoot|th|thead|title|tr|tt|u|ul|video"
)
# Only real tag names count, and attributes need an "=": "I <3 you" or "a<b and c>d" is not markup.
_HTML_TAG_RE = re.compile(rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*=[^<>]*)?\s*/?>|<!--|<!doctype", re.IGNORECASE)
_HTML_ENTITY_RE = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_SKIP_CONTENT_TAGS = frozenset({"script", "style", "head", "noscript", "template", "svg", "title"})
_BLOCK_TAGS = _words(
    "br p div li tr td th h1 h2 h3 h4 h5 h6 blockquote hr section article header footer ul ol table pre dd dt"
)


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment (entities unescaped by the parser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP_CONTENT_TAGS:
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS:
            # Block boundaries separate words ("<p>sad</p><p>happy</p>" is two words).
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_CONTENT_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def _strip_html(text: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(text)
        parser.close()
    except Exception:  # noqa: BLE001 - the parser is lenient, but input is untrusted: never crash
        return re.sub(r"<[^>]*>", " ", text)
    return "".join(parser.parts)


# --------------------------------------------------------------------------------------------
# prepare()
# --------------------------------------------------------------------------------------------


_CONTROL_BYTES_RE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LEGACY_NON_ASCII_SHARE = 0.3


def _decode(data: bytes, *, partial: bool = False) -> tuple[str, tuple[str, ...]]:
    # ``partial``: the bytes were cut, so a multi-byte character split at the end is not an error.
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(data, final=not partial), ()
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    # Legacy Windows text ("caf\xe9") is not UTF-8 but reads fine as cp1252. Only try that when
    # nothing decoded as real UTF-8 multi-byte characters (else it is UTF-8 with a damaged byte
    # and cp1252 would turn it into mojibake) and there are no control bytes (binary stays junk).
    if text.replace("\ufffd", "").isascii() and not _CONTROL_BYTES_RE.search(data):
        try:
            legacy = data.decode("cp1252")
        except UnicodeDecodeError:
            legacy = ""
        # Real Western-European text is mostly ASCII; a wall of accented symbols is binary.
        non_ascii = len(legacy) - len(legacy.encode("ascii", "ignore"))
        if legacy and non_ascii <= _LEGACY_NON_ASCII_SHARE * len(legacy):
            return legacy, ("decoded_cp1252",)
    return text, ("decode_errors",)


def _normalise_language(code: str | None) -> str | None:
    if not code or not isinstance(code, str):
        return None
    return code.strip().replace("_", "-").split("-")[0].lower() or None


def _default_language(supported: frozenset[str]) -> str:
    if "en" in supported or not supported:
        return "en"
    return sorted(supported)[0]


def _guess_latin_language(lowered: str, supported: frozenset[str]) -> str:
    """Function-word vote among Latin-script languages; short texts get the supported default."""
    words = _WORD_RE.findall(lowered)
    n_words = len(words)
    if n_words < _SHORT_TEXT_WORDS:
        return _default_language(supported)
    en_hits = 0
    other_hits: dict[str, int] = {}
    en_words = _EN_WORDS
    other_words = _OTHER_WORDS
    for word in words:
        if word in en_words:
            en_hits += 1
        else:
            langs = other_words.get(word)
            if langs:
                for lang in langs:
                    other_hits[lang] = other_hits.get(lang, 0) + 1
    if other_hits:
        best = max(other_hits, key=other_hits.__getitem__)
        best_hits = other_hits[best]
        if best_hits > en_hits and best_hits >= _MIN_FOREIGN_SHARE * n_words:
            return best
    if en_hits:
        return "en"
    return UNDETERMINED


def _script_counts(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, _lang, pattern in _SCRIPTS:
        found = len(pattern.findall(text))
        if found:
            counts[name] = found
    return counts


def _truncate(text: str, max_chars: int) -> str:
    cut = text[:max_chars]
    # Back off to the last space so the final word is not cut in half, unless that would lose
    # a large part of the budget (one giant "word", e.g. a pasted token).
    space = cut.rfind(" ")
    if space > max_chars * 0.8:
        cut = cut[:space]
    # A dangling joiner or combining mark would start a broken grapheme at the end.
    while cut and (cut[-1] in "\u200c\u200d\ufe0f" or unicodedata.combining(cut[-1])):
        cut = cut[:-1]
    return cut.rstrip()


def prepare(
    text: str | bytes | None,
    *,
    declared_language: str | None = None,
    max_chars: int = 5000,
    supported_languages: frozenset[str] | set[str] | tuple[str, ...] = frozenset({"en"}),
) -> Prepared:
    """Clean ``text`` for scoring and say whether it can be scored (never raises on bad text).

    ``status`` is "ok", "truncated" (scored, but only the first ``max_chars`` characters),
    "unscorable" (``reason`` says why) or "unsupported_language" (``language`` says which).
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    supported = frozenset(supported_languages)
    flags: list[str] = []

    # Nothing past a generous multiple of the budget can survive truncation (markup included),
    # so do not pay for decoding, normalising or parsing it.
    raw_budget = max_chars * 8 + 1024
    cut = False
    if text is None:
        return Prepared("", UNSCORABLE, "empty text")
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        size = f"{len(data)} bytes"
        if len(data) > raw_budget * 4:  # UTF-8 needs at most 4 bytes a character
            data, cut = data[: raw_budget * 4], True
        text, decode_flags = _decode(data, partial=cut)
        flags.extend(decode_flags)
    elif isinstance(text, str):
        size = f"{len(text)} characters"
    else:
        return Prepared("", UNSCORABLE, f"not text ({type(text).__name__})")

    if len(text) > raw_budget:
        text, cut = text[:raw_budget], True

    if _JUNK_RE.search(text):
        text = _drop_junk(text, flags)
        if text is None:
            return Prepared("", UNSCORABLE, "binary or non-text content", tuple(flags))
    if not text.isascii():
        text = _INVISIBLE_RE.sub("", text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)

    if "<" in text and _HTML_TAG_RE.search(text):
        text = _strip_html(text)
        flags.append("html_stripped")
    elif "&" in text and _HTML_ENTITY_RE.search(text):
        text = _strip_html(text)  # the parser unescapes entities with the stdlib's rules
        flags.append("html_unescaped")

    text = " ".join(text.split())
    if not text:
        return Prepared("", UNSCORABLE, "empty text", tuple(flags))

    status = OK
    reason = ""
    if len(text) > max_chars or cut:
        text = _truncate(text, max_chars)
        flags.append("truncated")
        status = TRUNCATED
        reason = f"text of {size} truncated to {len(text)} characters"

    # Placeholders from anonymisation are not words of any language.
    analysed = _PLACEHOLDER_RE.sub(" ", text) if "[" in text else text
    if text.isascii():
        has_letters = _LETTER_RE.search(analysed) is not None
        n_letters = n_latin = 0
        scripts: dict[str, int] = {}
    else:
        letters = _LETTER_RE.findall(analysed)
        has_letters = bool(letters)
        n_letters = len(letters)
        n_latin = len(_LATIN_RE.findall(analysed)) if letters else 0
        scripts = _script_counts(analysed) if n_letters > n_latin else {}

    if not has_letters:
        if _EMOJI_RE.search(analysed) or _EMOTICON_RE.search(analysed):
            # Emoji mean the same in every language, so a declared language does not matter here.
            flags.append("emoji_only")
            language = _normalise_language(declared_language) or UNDETERMINED
            return Prepared(text, status, reason, tuple(flags), language)
        return Prepared(text, UNSCORABLE, "no words to score", tuple(flags))

    families: dict[str, int] = {}
    if scripts:
        if n_latin:
            families["latin"] = n_latin
        for name, count in scripts.items():
            family = "cjk" if name in _CJK_FAMILY else name
            families[family] = families.get(family, 0) + count
        # Mixed scripts: at least two script families each with a real share of the letters.
        significant = [c for c in families.values() if c >= 2 and c >= 0.1 * n_letters]
        if len(significant) >= 2:
            flags.append("mixed_scripts")

    non_latin = n_letters - n_latin
    script_language: str | None = None
    if non_latin and non_latin >= 0.5 * n_letters:
        script_language = _script_language(families, scripts)

    declared = _normalise_language(declared_language)
    if declared is not None:
        if declared not in supported:
            return Prepared(
                text,
                UNSUPPORTED_LANGUAGE,
                f"declared language '{declared}' is not supported",
                tuple(flags),
                declared,
            )
        # Trust a supported declaration, except when the text is plainly in another script:
        # English lexicons would score Japanese or Russian text as noise.
        if script_language is not None and script_language not in supported and non_latin >= 5:
            return Prepared(
                text,
                UNSUPPORTED_LANGUAGE,
                f"declared '{declared}' but the text looks like '{script_language}' (another script)",
                tuple(flags),
                script_language,
            )
        return Prepared(text, status, reason, tuple(flags), declared)

    if script_language is not None:
        language = script_language
        if language == UNDETERMINED:
            return Prepared(text, UNSUPPORTED_LANGUAGE, "text is mostly in a non-Latin script", tuple(flags), language)
    else:
        language = _guess_latin_language(analysed.lower(), supported)
    if language != UNDETERMINED and language not in supported:
        return Prepared(
            text,
            UNSUPPORTED_LANGUAGE,
            f"text looks like '{language}', which is not supported",
            tuple(flags),
            language,
        )
    return Prepared(text, status, reason, tuple(flags), language)


def _script_language(families: dict[str, int], scripts: dict[str, int]) -> str:
    """Language of the dominant non-Latin script family; "und" for scripts not listed."""
    non_latin = {family: count for family, count in families.items() if family != "latin"}
    if not non_latin:
        return UNDETERMINED
    family = max(non_latin, key=non_latin.__getitem__)
    if family == "cjk":
        # Japanese is mostly Han but always has kana; Korean may contain Han but is mostly Hangul.
        if "kana" in scripts:
            return "ja"
        return "ko" if scripts.get("hangul", 0) >= scripts.get("han", 0) else "zh"
    return _SCRIPT_LANGUAGE[family]


def _drop_junk(text: str, flags: list[str]) -> str | None:
    """Remove control/replacement characters; None when they make up too much of the text."""
    junk = len(_JUNK_RE.findall(text))
    if not junk:
        return text
    if junk > _BINARY_SHARE * len(text):
        return None
    flags.append("control_chars_removed")
    return _JUNK_RE.sub(" ", text)
