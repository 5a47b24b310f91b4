"""Text normalisation, tokenising, negation marking and stemming for az, ru, en (and tr).

Everything here is a pure function of its input and cheap enough to run on every comment: the
classifier's throughput target (20,000 comments/s on one core) is mostly spent in this module.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer

from ml.langid import TURKIC, detect_language
from ml.privacy import redact

__all__ = [
    "normalise", "fold", "tokenise", "masked", "has_smiley_marks", "chunk_tokens", "normalised_tokens",
    "mark_negation", "triggers_negation", "stem", "squeeze", "turkic_lower", "plain_lower",
    "detect_language", "NEG_SUFFIX",
]

#: Appended to tokens inside the scope of a negator, as NLTK's ``mark_negation`` does.
NEG_SUFFIX = "_NEG"

_TURKIC_UPPER = str.maketrans({"İ": "i", "I": "ı"})

#: Letters people leave out on phones, and Cyrillic romanised the way people type Russian in Latin
#: letters, so "çox pis" meets "cox pis" and "очень" meets "ochen" in the folded stream.
_FOLD_TABLE = str.maketrans({
    "ə": "e", "ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u", "â": "a", "î": "i",
    "û": "u", "ё": "e",
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "j", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c", "ш": "s", "щ": "s", "ъ": None,
    "ы": "y", "ь": None, "э": "e", "ю": "yu", "я": "ya",
})
#: Latin digraphs that stand for one letter in casual az and ru typing.
_DIGRAPHS = (("sh", "s"), ("ch", "c"), ("gh", "g"), ("zh", "j"), ("kh", "h"))

_REPEAT3 = re.compile(r"(\w)\1{2,}")
_REPEAT2 = re.compile(r"(\w)\1+")
_PUNCT_RUN = re.compile(r"([!?.])\1+")

#: Emoticons are signals: ":(" is as telling as a word. Map the common shapes to one spelling.
_EMOTICONS = {
    ":-(": ":(", ":((": ":(", ":-((": ":(", "):": ":(", ":'(": ":(", ";(": ":(", "=(": ":(",
    ":-)": ":)", ":))": ":)", ":-))": ":)", "(:": ":)", "=)": ":)", ";)": ":)", ";-)": ":)",
    ":-D": ":D", ":d": ":D", "xD": ":D", ":-/": ":/", ":-|": ":|",
}
_EMOTICON_RE = re.compile("|".join(re.escape(e) for e in sorted(_EMOTICONS, key=len, reverse=True)))

_EMOJI = "\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF"
_EMOJI_RE = re.compile(f"[{_EMOJI}]")
#: Emoticons as ``normalise`` spells them.
_EMOTICON_FORMS = frozenset(_EMOTICONS.values())
#: Words (with inner apostrophes or hyphens), emoticons, single emoji, and the punctuation that
#: ends a negation scope or carries emphasis.
class _StdlibRegexpTokenizer(RegexpTokenizer):
    """NLTK's RegexpTokenizer compiled with the standard ``re`` module (5× faster than ``regex``)."""

    def _check_regexp(self):
        if self._regexp is None:
            self._regexp = re.compile(self._pattern, self._flags)


_TOKENIZER = _StdlibRegexpTokenizer(
    rf"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+|[:;=][\-']?[()dDpP/|]+|[{_EMOJI}]|[.,!?;]"
)

_NEGATORS = {
    "en": frozenset("not no never nothing nobody none nowhere neither nor cannot without".split()),
    "ru": frozenset("не нет ни никогда ничего никто нигде без ne net ni nikogda nichego nikto bez".split()),
    "az": frozenset("heç hec".split()),
    "tr": frozenset("hiç hic".split()),
}
#: Azerbaijani and Turkish put "is not / there is none" after what they negate (SOV order).
_POSTPOSED_NEGATORS = {
    "az": frozenset("deyil deyl yox yoxdur deyildi yoxdu".split()),
    "tr": frozenset("değil degil yok yoktu yoktur değildi".split()),
}
_SCOPE_END = frozenset(".,!?;")
_NO_WORDS: frozenset[str] = frozenset()

_STEMMERS = {"en": SnowballStemmer("english"), "ru": SnowballStemmer("russian")}


def turkic_lower(text: str) -> str:
    """Lower-case with the Turkic dotted/dotless i rules (İ→i, I→ı)."""
    return text.translate(_TURKIC_UPPER).lower()


def plain_lower(text: str) -> str:
    """Lower-case for other languages, but "İ" → "i": ``str.lower`` gives "i" plus a combining dot,
    which splits the word, and an "İ" in a Russian or English comment is an Azerbaijani word's."""
    return text.replace("İ", "i").lower() if "İ" in text else text.lower()


def squeeze(text: str) -> str:
    """Squeeze a letter repeated three or more times to two ("cooox" → "coox", "sooo" → "soo")."""
    return _REPEAT3.sub(r"\1\1", text)


def fold(text: str) -> str:
    """Fold already-lower-cased text to a reduced Latin key: drop diacritics, romanise Cyrillic,
    merge digraphs and any doubled letter, so spellings with and without special letters meet."""
    text = text.translate(_FOLD_TABLE)
    for digraph, letter in _DIGRAPHS:
        if digraph in text:
            text = text.replace(digraph, letter)
    return _REPEAT2.sub(r"\1", text)


def normalise(text: str, lang: str | None = None) -> str:
    """Return ``text`` in NFC, personal data masked, lower-cased by the rules of its language,
    repeated letters and punctuation squeezed, emoticons in one spelling (emoji kept as they are)."""
    text = masked(text)
    if lang is None:
        lang = detect_language(text)
    return _normalise_masked(text, lang)


def _normalise_masked(text: str, lang: str, smileys: bool | None = None) -> str:
    """The steps of ``normalise`` after NFC and masking (see ``chunk_tokens`` for ``smileys``)."""
    if smileys if smileys is not None else has_smiley_marks(text):
        text = _EMOTICON_RE.sub(lambda m: _EMOTICONS[m.group(0)], text)
    text = turkic_lower(text) if lang in TURKIC else plain_lower(text)
    return _PUNCT_RUN.sub(r"\1", squeeze(text))


def has_words(text: str) -> bool:
    """Whether ``text`` holds anything to read: a letter, a digit, an emoji or an emoticon. People
    leave a comment box "empty" with "-", "." or "...", and such a text is no evidence either way
    (the model would score it at its intercept, which for the shipped model is above the threshold)."""
    if any(c.isalnum() for c in text):
        return True
    if _EMOJI_RE.search(text):
        return True
    respelled = _EMOTICON_RE.sub(lambda m: _EMOTICONS[m.group(0)], text)
    return any(token in _EMOTICON_FORMS for token in tokenise(respelled))


def tokenise(text: str) -> list[str]:
    """Split normalised text into words, numbers, emoticons, emoji and scope punctuation (NLTK)."""
    return _TOKENIZER.tokenize(text)


#: (Turkic casing?, forced smileys?) -> chunk (a run of non-space characters of masked text) -> its
#: tokens. The language only changes a chunk's tokens through casing; see ``chunk_tokens`` for smileys.
_CHUNK_TOKENS: dict[tuple[bool, bool], dict[str, tuple[str, ...]]] = {
    (turkic, forced): {} for turkic in (False, True) for forced in (False, True)
}
_CHUNK_LIMIT = 200_000


def masked(text: str) -> str:
    """``text`` in NFC with personal data masked: the steps of ``normalise`` that look across spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return redact(text)


def has_smiley_marks(text: str) -> bool:
    """Whether ``normalise`` respells emoticons in ``text`` (only if it has one of ``:;=(``)."""
    return ":" in text or ";" in text or "=" in text or "(" in text


def chunk_tokens(chunk: str, lang: str, smileys: bool = False) -> tuple[str, ...]:
    """``tokenise(normalise(...))`` of a run of non-space characters of masked text (cached).

    After NFC and masking, one step of ``normalise`` looks across whitespace: emoticons are
    respelled only in a text with one of ``:;=(`` somewhere (``smileys``), which matters for the
    one emoticon without them, "xD". Nothing else does: squeezed runs and tokens contain no
    whitespace, and casing rules (even Greek final sigma) stop at it. So the tokens of a text
    are those of its chunks, one after another, and comments reuse few chunks.
    """
    forced = smileys and "xD" in chunk
    cache = _CHUNK_TOKENS[(lang in TURKIC, forced)]
    tokens = cache.get(chunk)
    if tokens is None:
        tokens = tuple(_TOKENIZER.tokenize(_normalise_masked(chunk, lang, forced or None)))
        if len(cache) >= _CHUNK_LIMIT:
            cache.clear()  # Crude bound; comments reuse few chunks, so it refills fast.
        cache[chunk] = tokens
    return tokens


def normalised_tokens(text: str, lang: str) -> list[str]:
    """``tokenise(normalise(text, lang))``, chunk by chunk (see ``chunk_tokens``)."""
    text = masked(text)
    smileys = has_smiley_marks(text)
    out: list[str] = []
    for chunk in text.split():
        out += chunk_tokens(chunk, lang, smileys)
    return out


def triggers_negation(tokens, lang: str) -> bool:
    """Whether ``mark_negation(tokens, lang)`` could change anything (it holds a negator)."""
    return not (_NEGATORS.get(lang, _NEGATORS["en"]).isdisjoint(tokens)
                and _POSTPOSED_NEGATORS.get(lang, _NO_WORDS).isdisjoint(tokens)
                and not (lang == "en" and "n't" in "".join(tokens)))


def mark_negation(tokens: list[str], lang: str) -> list[str]:
    """Append ``_NEG`` to the words a negator governs, with that language's negators.

    Pre-posed negators (en "not", ru "не", az "heç") mark the following words up to punctuation,
    like NLTK's ``mark_negation``; the az/tr post-posed ones ("deyil", "yox", "değil") mark the word
    before them. Negation by verb suffix ("gəlmədi") is left to the character n-grams.
    """
    if not triggers_negation(tokens, lang):
        return list(tokens)  # Nothing to mark: the common case, without the loop below.
    pre = _NEGATORS.get(lang, _NEGATORS["en"])
    post = _POSTPOSED_NEGATORS.get(lang, _NO_WORDS)
    out: list[str] = []
    negated = False
    for tok in tokens:
        if tok in _SCOPE_END:
            negated = False
            out.append(tok)
        elif tok in pre or (lang == "en" and tok.endswith("n't")):
            negated = True
            out.append(tok)
        elif tok in post:
            if out and out[-1] not in _SCOPE_END and not out[-1].endswith(NEG_SUFFIX):
                out[-1] += NEG_SUFFIX
            out.append(tok)
        else:
            out.append(tok + NEG_SUFFIX if negated and tok.isalpha() else tok)
    return out


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball-stem ``word`` where NLTK has a stemmer for ``lang`` (en, ru); else return it."""
    stemmer = _STEMMERS.get(lang)
    if stemmer is None:
        return word
    if lang == "ru" and word.isascii():
        return word  # Russian typed in Latin letters: the Cyrillic stemmer can't help.
    return stemmer.stem(word)
