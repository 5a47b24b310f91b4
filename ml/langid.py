"""Language identification for az, ru, en and tr, including the transliterated forms.

Most comments are settled by their script and letters (Cyrillic, "ə", Turkic letters) or by common
words, which also covers Azerbaijani typed without its letters ("cox pis") and Russian typed in
Latin letters ("ochen dolgo jdali") — forms general-purpose identifiers get wrong. What is left goes
to py3langid, restricted to our languages and loaded only when first needed.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from operator import itemgetter

__all__ = ["detect_language", "chunk_evidence", "by_letters", "by_words", "LANGUAGES", "TURKIC", "UNDETERMINED"]

LANGUAGES = ("az", "ru", "en", "tr")
#: Languages with Turkic casing (İ↔i, I↔ı) and Azerbaijani-style folding.
TURKIC = frozenset({"az", "tr"})
UNDETERMINED = "und"

_WORD = re.compile(r"[^\W\d_]+")

# Common words, written as people type them (with and without the special letters).
_MARKERS = {
    "az": """
        və ve çox cox coх yaxşı yaxsi yaxshi pis xidmət xidmet növbə novbe nobe işləmir islemir
        deyil yox yoxdur heç hec üçün ucun ücün mən men biz sən sen bu da də de ki amma ancaq
        gözlədim gozledim gözlədik gozledik saat dəqiqə deqiqe sağ sag olun olsun əla ela təşəkkür
        tesekkur təşəkkürlər tesekkurler sistem işçi isci işçilər isciler əməkdaş emekdas
        qəbul qebul sənəd sened sənədlər senedler vəsiqə vesiqe şəxsiyyət sexsiyyet nə ne niyə niye
        olmadı olmadi gəldim geldim getdim dedi dedilər dediler bilmir etmir etmədi etmedi
        mərkəz merkez asan çox-çox hər her kimi qədər qeder necə nece edirəm edirem oldu
    """,
    "tr": """
        çok cok iyi kötü kotu hizmet teşekkür tesekkur teşekkürler tesekkurler değil degil yok
        hiç hic için icin ben sen bir ve ama fakat bekledim saat dakika gerçekten gercekten
        güzel guzel berbat rezalet personel memur sıra sira randevu neden niye olmadı olmadi
        teşekkür ederim ederim sağolun sagolun mükemmel mukemmel
    """,
    "en": """
        the and was were is are to of for very service it this that not no my me i we they you
        with but waited wait staff thank thanks good great bad hours minutes queue rude helpful
        fast slow nobody never again there here have had has been be at in on an a so too
        ok okay excellent terrible awful perfect amazing horrible poor nice friendly quick
        worst best disappointed disappointing recommend appointment office officer desk
    """,
    "ru": """
        ochen očen otchen dolgo jdali zhdali zhdal jdal spasibo spasiba vse vsyo vsio bystro
        bystra medlenno plokho ploho khorosho horosho otlichno ne net nikto nichego nikogda
        grubo sistema rabotaet rabotayet okno okne ochered ocheredi chasa chasov minut bylo byl
        byla eto chto kak tak uzhas uzhasno kosmos pochemu tolko dazhe sotrudnik sotrudniki
        devushka devushke ya my oni vy nam mne mnogo prishlos prishlo
    """,
}
_LEXICON: dict[str, tuple[str, ...]] = {}
for _lang, _words in _MARKERS.items():
    for _w in _words.split():
        _LEXICON[_w] = _LEXICON.get(_w, ()) + (_lang,)

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f\u0259\u018f]")
_TURKIC = re.compile(r"[ğışçöüİĞŞÇÖÜ]")
_ASCII_LETTER = re.compile(r"[a-zA-Z]")
_CYRILLIC_COUNT, _LATIN_COUNT, _HAS_SCHWA, _HAS_TURKIC = (itemgetter(i) for i in range(4))

#: chunk -> chunk_evidence(chunk)
_evidence: dict[str, tuple] = {}
_EVIDENCE_LIMIT = 200_000

_identifier = None
_identifier_lock = threading.Lock()


def _library_guess(text: str) -> str:
    """Ask py3langid, restricted to our four languages (loaded once, on first use).

    Short comments are cached: the ones the rules can't settle ("Alright.", "Super") come back often.
    """
    return _short_guess(text) if len(text) <= 200 else _classify(text)


@lru_cache(maxsize=16384)
def _short_guess(text: str) -> str:
    return _classify(text)


def _classify(text: str) -> str:
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
                ident.set_languages(list(LANGUAGES))
                # Its automaton's tables are lists of ~100,000 ints, which every full garbage
                # collection walks; as tuples the collector skips them. Same values, same lookups.
                for name in ("tk_output", "_rowbase"):
                    table = getattr(ident, name, None)
                    if isinstance(table, list):
                        setattr(ident, name, tuple(table))
                _identifier = ident
    return _identifier.classify(text)[0]


def warm_up() -> None:
    """Load the fallback identifier now, so the first comment doesn't pay for it."""
    _library_guess("warm up")


def chunk_evidence(chunk: str) -> tuple:
    """What one run of non-space characters says about the language (cached).

    ``(Cyrillic letters, Latin letters, has "ə", has Turkic letters, score steps with plain
    casing, score steps with Turkic casing)``. A step is (language, amount) for a marker word or
    an "x" inside a word; ``by_words`` replays them in order, so the sums come out exactly as
    scoring the whole comment word by word would. Letters, casing and words never span
    whitespace, so chunks can be judged apart and reused.
    """
    cached = _evidence.get(chunk)
    if cached is not None:
        return cached
    plain = _steps(chunk.lower())
    turkic_casing = "I" in chunk or "İ" in chunk  # otherwise both casings give the same words
    turkic = _steps(chunk.replace("İ", "i").replace("I", "ı").lower()) if turkic_casing else plain
    if chunk.isascii():
        result = (0, len(_ASCII_LETTER.findall(chunk)), False, False, plain, turkic)
    else:
        result = (len(_CYRILLIC.findall(chunk)), len(_LATIN.findall(chunk)), "ə" in chunk or "Ə" in chunk,
                  _TURKIC.search(chunk) is not None, plain, turkic)
    if len(_evidence) >= _EVIDENCE_LIMIT:
        _evidence.clear()  # Crude bound; comments reuse few words, so it refills fast.
    _evidence[chunk] = result
    return result


def _steps(lowered: str) -> tuple[tuple[str, float], ...]:
    steps = []
    for word in _WORD.findall(lowered):
        langs = _LEXICON.get(word)
        if langs:
            share = 1.0 / len(langs)
            steps.extend((lang, share) for lang in langs)
        elif "x" in word[1:-1] and "ex" not in word:
            steps.append(("az", 0.3))  # "x" is common inside az words, rare in tr, en or translit ru.
    return tuple(steps)


def by_letters(cyrillic: int, latin: int, schwa: bool) -> str | None:
    """The language settled by the letters of a comment alone, or None if its words must decide."""
    if not cyrillic and not latin:
        return UNDETERMINED
    if cyrillic >= latin:
        return "ru"
    if schwa:
        return "az"
    return None


def by_words(steps, turkic: bool, text: str) -> str:
    """The language by marker words: ``steps`` holds, per chunk in order, its steps with plain
    and with Turkic casing (fields 4 and 5 of ``chunk_evidence``); py3langid breaks ties."""
    scores = {"az": 0.0, "tr": 0.0, "en": 0.0, "ru": 0.0}
    if turkic:
        scores["az"] += 0.5
        scores["tr"] += 0.5
    k = 1 if turkic else 0
    for chunk_steps in steps:
        for lang, amount in chunk_steps[k]:
            scores[lang] += amount
    best = max(scores, key=scores.get)
    top = scores[best]
    if top > 0 and list(scores.values()).count(top) == 1:
        return best
    guess = _library_guess(text)
    if guess in ("az", "tr") and not turkic and scores["ru"] > 0:
        return "ru"
    return guess


def detect_language(text: str) -> str:
    """Return "az", "ru", "en", "tr", or "und" for text without letters (emoji only, numbers)."""
    evidence = [chunk_evidence(chunk) for chunk in text.split()]
    lang = by_letters(sum(map(_CYRILLIC_COUNT, evidence)), sum(map(_LATIN_COUNT, evidence)),
                      any(map(_HAS_SCHWA, evidence)))
    if lang is None:
        lang = by_words([e[4:] for e in evidence], any(map(_HAS_TURKIC, evidence)), text)
    return lang
