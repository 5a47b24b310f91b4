"""Language identification for az, ru, en and tr, including the transliterated forms.

Most comments are settled by their script and letters (Cyrillic, "ə", Turkic letters) or by common
words, which also covers Azerbaijani typed without its letters ("cox pis") and Russian typed in
Latin letters ("ochen dolgo jdali") — forms general-purpose identifiers get wrong. What is left goes
to py3langid, restricted to our languages and loaded only when first needed.
"""

from __future__ import annotations

import re
import threading

__all__ = ["detect_language", "LANGUAGES", "TURKIC", "UNDETERMINED"]

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

_identifier = None
_identifier_lock = threading.Lock()


def _library_guess(text: str) -> str:
    """Ask py3langid, restricted to our four languages (loaded once, on first use)."""
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
                ident.set_languages(list(LANGUAGES))
                _identifier = ident
    return _identifier.classify(text)[0]


def warm_up() -> None:
    """Load the fallback identifier now, so the first comment doesn't pay for it."""
    _library_guess("warm up")


def detect_language(text: str) -> str:
    """Return "az", "ru", "en", "tr", or "und" for text without letters (emoji only, numbers)."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    schwa = "ə" in text or "Ə" in text
    turkic = _TURKIC.search(text) is not None
    if not cyrillic and not latin:
        return UNDETERMINED
    if cyrillic >= latin:
        return "ru"
    if schwa:
        return "az"
    scores = {"az": 0.0, "tr": 0.0, "en": 0.0, "ru": 0.0}
    if turkic:
        scores["az"] += 0.5
        scores["tr"] += 0.5
    lowered = text.replace("İ", "i").replace("I", "ı").lower() if turkic else text.lower()
    for word in _WORD.findall(lowered):
        langs = _LEXICON.get(word)
        if langs:
            share = 1.0 / len(langs)
            for lang in langs:
                scores[lang] += share
        elif "x" in word[1:-1] and "ex" not in word:
            scores["az"] += 0.3  # "x" is common inside az words, rare in tr, en or translit ru.
    best = max(scores, key=scores.get)
    top = scores[best]
    if top > 0 and sum(1 for v in scores.values() if v == top) == 1:
        return best
    guess = _library_guess(text)
    if guess in ("az", "tr") and not turkic and scores["ru"] > 0:
        return "ru"
    return guess
