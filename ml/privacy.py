"""Find personal data in comments: one set of patterns for the model and for the service.

The model never sees phone numbers, e-mail addresses, FINs, ID-card, bank-card or bank-account
numbers (IBANs: citizens asking for a fee back write theirs), or the names citizens give as their
own (see ``_NAME``), so it
cannot learn them as complaint signals and can never quote one back as a reason. The service masks
the same things before officers, exports or training data see a comment (``feedback`` passes its
own, readable masks to ``mask``). The formats follow those in use in Azerbaijan.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["mask", "redact", "KINDS", "PLACEHOLDERS"]

#: Kinds of personal data, in the order they are replaced (names before any capitalised placeholder
#: could pass for one, e-mails before the digits in them, IBANs, cards and ID cards before cards or
#: phones that could match part of them, FINs last).
KINDS = ("name", "email", "iban", "card", "idcard", "phone", "fin")

#: What each kind becomes for the model. Words, so the tokeniser keeps them as one token.
PLACEHOLDERS = {
    "name": " PERSONNAME ",
    "email": " EMAILADDR ",
    "iban": " IBANNUM ",
    "card": " CARDNUM ",
    "phone": " PHONENUM ",
    "idcard": " IDCARDNUM ",
    "fin": " FINCODE ",
}

#: Names. Without a list of names, only where the text itself says a name follows: a citizen giving
#: their own ("Mənim adım …", "меня зовут …", "my name is …", "ФИО: …"), or a full formal name (a
#: surname with "… oğlu/qızı" or with a Russian patronymic), the form people identify themselves
#: with. A member of staff named the usual way ("Leyla xanım", "Иван Петрович", "Mr Smith") stays
#: readable: officers follow up on it. A name must be capitalised, since "adım səhv yazılıb" (my
#: name is misspelt) and "my name is spelled wrong" are no names.
_UPPER = "A-ZÇƏĞİÖŞÜÄÑÉА-ЯЁ"
_LOWER = "a-zçəğıöşüäñéа-яё"
# A capital and a letter (or "O'Connor": a capital, an apostrophe, a capital).
_WORD = rf"\b[{_UPPER}](?:[^\W\d_]+|['’][{_UPPER}][^\W\d_]+)(?:[-'’][^\W\d_]+)*"
# What follows a cue but is no name: an acronym with a case ending ("ASAN-da", "SMS-də", "ЗАГСом"),
# and the institutions, places and languages that "my name is …" is said of.
_NOT_NAME = (
    rf"(?![{_UPPER}]{{2,}}[-'’]?[{_LOWER}])"
    r"(?!(?:ASAN|DOST|DYP|SMS|FIN|ЗАГС|МВД|ДМС|Bak[ıiu]|Az[əe]rbaycan\w*|Azerbaijan\w*|Latin\w*|Lat[ıi]n\w*"
    r"|English|Russian|Turkish|Rus(?:ca|iya)\w*|Türk(?:c[əe]|iy[əe])\w*|Латин\w*|Азербайджан\w*)\b)"
)
_CUED_WORD = rf"{_NOT_NAME}{_WORD}"
_PATRONYMIC_AZ = r"(?i:o[ğg]lu|q[ıi]z[ıi])\b"
# "Hörmətli" (dear) and the like end like surnames in "-li".
_SURNAME_AZ = rf"\b(?!(?i:h[öo]rm[əe]tli|d[əe]y[əe]rli|sevimli)\b)[{_UPPER}][^\W\d_]*(?:ova?|yeva?|eva?|l[iıuü]|zad[əe]|o[ğg]lu)\b"
_PATRONYMIC_RU = r"\b[А-ЯЁ][а-яё]+(?:ич|вна|ична)\b"
# Sentence-initial words that end like surnames ("Только Мария Ивановна помогла").
_SURNAME_RU = (r"\b(?!(?:Только|Около|Один|Одна|Господин|Гражданин|Женщина|Мужчина|Половина)\b)"
               r"[А-ЯЁ][а-яё]*(?:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|цкий|цкая|ко|ук|юк|ян|дзе|швили|заде|[дрнлмв]ли)\b")
_PATRONYMIC_AZ_RU = r"\b(?:оглы|кызы)\b"
_INTRODUCTION = (
    # "adım" alone also means "my step", and "… belgesinde adım Türkçe yazılmış" (my name written in
    # Turkish letters) is no introduction: without "mənim" it must open the text or a sentence.
    r"(?i:(?:\b(?:mənim|menim|benim)\s+|(?:^|(?<=[.,!?;:()\n]))\s*(?:(?:salam|salamlar|merhaba),?\s+)?)"
    r"(?:soy)?ad[ıi]m(?:\s+(?:və|ve)\s+soyad[ıi]m)?"
    r"|\bменя\s+зовут|\bmenya\s+zovut|\bмо[её]\s+имя|\bмоя\s+фамилия"
    r"|(?:^|(?<=[.!?;:\n]))\s*(?:фамилия|имя)(?:,?\s+(?:имя|фамилия))?(?=\s*:)"
    rf"|(?:^|(?<=[.!?;:\n]))\s*фамилия(?=\s+{_SURNAME_RU})|(?<=,)\s*(?-i:имя|фамилия)"
    r"|\bmy\s+(?:full\s+)?(?:name|surname)(?:\s+is|'s|’s)"
    r"|(?:^|(?<=[.!?\n]))\s*name(?=\s*:)"
    r"|\bфио\b|\bad[ıi]?,?\s+(?:(?:və|ve)\s+)?soyad[ıi]?(?=\s*:)|\bfull\s+name(?=\s*:))\s*:?"
)
# Up to two words, a third only where it looks like a name part (a patronymic, a surname, a father's
# name before "oğlu") or ends the clause: "Mənim adım Aysel Quliyeva Nəsimi rayonunda" keeps "Nəsimi".
_GIVEN = (
    rf"{_CUED_WORD}(?:\s+{_CUED_WORD})?"
    rf"(?:\s+(?:{_PATRONYMIC_RU}|(?=\S+\s+(?:{_PATRONYMIC_AZ}|{_PATRONYMIC_AZ_RU})){_CUED_WORD}|{_SURNAME_AZ}|{_SURNAME_RU}|{_CUED_WORD}(?=\s*(?:[.,;:!?)]|$))))?"
    rf"(?:\s+(?:{_PATRONYMIC_AZ}|{_PATRONYMIC_AZ_RU})(?:\s+{_SURNAME_AZ})?)?"
)
_NAME = re.compile(
    rf"(?P<cue>{_INTRODUCTION})\s*(?P<given>{_GIVEN})"
    rf"|{_SURNAME_AZ}\s+{_WORD}\s+{_WORD}\s+{_PATRONYMIC_AZ}|{_WORD}\s+{_WORD}\s+{_PATRONYMIC_AZ}\s+{_SURNAME_AZ}"
    rf"|{_SURNAME_RU}\s+\b[А-ЯЁ][а-яё]+\s+(?:{_PATRONYMIC_RU}|[А-ЯЁ][а-яё]+\s+{_PATRONYMIC_AZ_RU})"
    rf"|\b[А-ЯЁ][а-яё]+\s+{_PATRONYMIC_RU}\s+{_SURNAME_RU}"
)
#: Every text a name pattern matches holds one of these once lower-cased (with the case-insensitive
#: cues' other spellings: "İ" lowers to "i̇", "ſ" is an "s"), a cheap test that spares most comments the scan.
_NAME_KEYS = re.compile("adım|adim|adi̇m|oyad|ğlu|glu|qız|qiz|qi̇z|зовут|zovut|имя|фамил|фио|name|ич|вна|оглы|кызы")

_TRIGGER = re.compile(r"[\d@]")
_FIN_CUE = r"(?i:\bf[iİı]n\b|\bфин\b)"
_PATTERNS = {
    "name": _NAME,
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    # IBANs: a country, two check digits and 11–30 letters or digits, written solid or in groups of
    # four as printed on bank statements, in either case; confirmed with their check digits (ISO
    # 13616, mod 97). ASCII only: with IGNORECASE, [A-Z] would also take "İ", "ı" or the Kelvin sign.
    "iban": re.compile(r"\b[A-Za-z]{2}[0-9]{2}(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,4})?)\b"),
    # Bank cards: 13–19 digits, optionally grouped by spaces or dashes; confirmed with Luhn.
    "card": re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"),
    # ID cards: series AZE (old) or AA (new) followed by 7–8 digits.
    "idcard": re.compile(r"\b(?:AZE|AA)[\s№-]?\d{7,8}\b", re.IGNORECASE),
    # Phones: +994 or 0 prefixes, Baku landlines in brackets, and international numbers with a plus.
    "phone": re.compile(
        r"""(?<![\w+])(?:
            (?:\+|00)\s?994[\s.-]?\(?\d{2}\)?(?:[\s.-]?\d){7}        # +994 50 123 45 67
          | \(?0\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}          # 050-123-45-67, (012) 555 12 34
          | (?:\+|00)[1-9]\d{0,2}(?:[\s.-]?\(?\d+\)?){2,6}            # +7 912 345 67 89, +44 20 7946 0000
          | 994\d{9}                                                  # 994501234567
          | (?:10|50|51|55|60|70|77|99)[\s.-]?\d{3}[\s.-]?\d{2}[\s.-]?\d{2}  # 501234567, 55 765 43 21 (no 0)
          | \b\d{3}[\s-]\d{2}[\s-]\d{2}\b                             # 123-45-67 (local without code)
        )(?!\w)""",
        re.VERBOSE,
    ),
    # FIN: 7 characters of digits and capital Latin letters except I and O, with at least one of each;
    # after the word "FIN" (however cased), in lower case too, as phones type it ("fin kodum 5zk2r7m").
    "fin": re.compile(
        rf"(?P<cue>{_FIN_CUE}(?:\s*(?i:kod\w*|код\w*|code))?\s*[:\-–]?\s*)"
        r"(?P<given>(?=[0-9A-HJ-NP-Za-hj-np-z]*\d)(?=[0-9A-HJ-NP-Za-hj-np-z]*[A-HJ-NP-Za-hj-np-z])"
        r"[0-9A-HJ-NP-Za-hj-np-z]{7})\b"
        r"|\b(?=[0-9A-HJ-NP-Z]*\d)(?=[0-9A-HJ-NP-Z]*[A-HJ-NP-Z])[0-9A-HJ-NP-Z]{7}\b"
    ),
}


_DIGIT = re.compile(r"\d")
_FIN_LETTER = re.compile(r"[A-HJ-NP-Z]")
_FIN_CUE_FOUND = re.compile(_FIN_CUE).search
#: What each pattern can't match without (text, number of digits in it): cheap tests that spare
#: most comments most of the scans. Each follows from the pattern above it.
_POSSIBLE = {
    "name": lambda text, digits: _may_name(text),
    "email": lambda text, digits: "@" in text,
    "iban": lambda text, digits: digits >= 2 and len(text) >= 15,
    "card": lambda text, digits: digits >= 13,
    "idcard": lambda text, digits: digits >= 7,
    # Every phone form has 7 digits or more, except those starting "+" or "00" (e.g. "+1 23 45").
    "phone": lambda text, digits: digits >= 7 or "+" in text or "00" in text,
    "fin": lambda text, digits: digits > 0 and (_FIN_LETTER.search(text) is not None
                                                or _FIN_CUE_FOUND(text) is not None),
}


def _may_name(text: str) -> bool:
    return _NAME_KEYS.search(text.lower()) is not None


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    code = candidate.upper()
    if not 15 <= len(code) <= 34:
        return False
    # The first four characters move to the end; letters count as 10–35; a valid IBAN leaves 1.
    return int("".join(str(int(ch, 36)) for ch in code[4:] + code[:4])) % 97 == 1


def _replacement(kind: str, mask_text: str):
    """What ``_PATTERNS[kind].sub`` replaces a match with: the mask, or a function that checks first."""
    if kind == "card":
        def card(match: re.Match) -> str:
            return mask_text if _luhn_ok(re.sub(r"\D", "", match.group(0))) else match.group(0)
        return card
    if kind in ("name", "fin"):
        def cued(match: re.Match) -> str:
            if match.group("given") is None:
                return mask_text  # found without a cue (a full formal name, a FIN in capitals)
            return match.group(0)[: match.start("given") - match.start()] + mask_text  # keep "my name is"
        return cued
    if kind == "iban":
        def iban(match: re.Match) -> str:
            groups = match.group(0).split(" ")
            # The last groups may be the next word or number ("… 1944 2024-cü il"): drop them until
            # what remains checks out.
            for end in range(len(groups), 0, -1):
                if _iban_ok("".join(groups[:end])):
                    return " ".join([mask_text, *groups[end:]])
            return match.group(0)
        return iban
    return mask_text


def mask(text: str, masks: Mapping[str, str]) -> str:
    """Return ``text`` with each kind of personal data replaced by ``masks[kind]``."""
    if not text or (not _TRIGGER.search(text) and not _may_name(text)):
        return text  # The common case: every pattern needs a digit, an "@" or a word that cues a name.
    digits = len(_DIGIT.findall(text))
    for kind in KINDS:
        if not _POSSIBLE[kind](text, digits):
            continue  # a pattern that can't match here: skip its (slow) scan
        masked = _PATTERNS[kind].sub(_replacement(kind, masks[kind]), text)
        if masked != text:
            text, digits = masked, len(_DIGIT.findall(masked))
    return text


def redact(text: str) -> str:
    """Return ``text`` with names, e-mails, IBANs, bank cards, ID cards, phones and FINs replaced for the model."""
    return mask(text, PLACEHOLDERS)
