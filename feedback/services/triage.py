"""Triage rules: whether a submission needs an officer, why, how urgently and by when.

Every rule lives here so that one file answers "why was this flagged?":

- ``low_rating``: the overall rating is at or below ``TRIAGE_LOW_RATING`` (2);
- ``model``: the complaint probability is at or above the model's own threshold;
- ``rating_text_mismatch``: a high rating beside a comment the model is very sure is a complaint;
- ``integrity`` / ``safety``: the comment alleges bribery or extortion, or speaks of threats,
  violence or danger. These are urgent and go to the restricted integrity queue whatever the rating.

Priority: urgent (integrity/safety) → high (rating 1 or a very confident model) → normal; each has its
hours until due (``TRIAGE_DUE_HOURS``).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from feedback.classifier import Verdict
from feedback.models.case import Priority


class FlagReason(enum.StrEnum):
    low_rating = "low_rating"
    model = "model"
    #: A high rating beside a comment the model is very sure is a complaint.
    mismatch = "rating_text_mismatch"
    #: Bribery, extortion, "gifts" asked for.
    integrity = "integrity"
    #: Threats, violence, danger to people.
    safety = "safety"


# Citizens often type without Azerbaijani letters ("rusvet" for "rüşvət"), so both the comment and
# the terms are folded to plain Latin before matching; Russian keeps Cyrillic (ё → е) and gets its
# own transliterated variants. Casing is Turkic: İ → i first, then everything lower.
_FOLD = str.maketrans({"ə": "e", "ı": "i", "ş": "s", "ç": "c", "ğ": "g", "ö": "o", "ü": "u", "ё": "е"})


def fold(text: str) -> str:
    """Lower-case the Turkic way and drop Azerbaijani diacritics, for keyword matching."""
    return text.replace("İ", "i").replace("I", "ı").lower().translate(_FOLD)


# Each entry is a regular expression over folded text that must start at a word boundary; the end is
# open (stems), unless it ends in \b. Written folded: "rusvet" also catches "rüşvət", "rüşvətxor".
INTEGRITY_TERMS = (
    # az
    r"ru(?:s|sh)v[ea]t", r"pul (?:iste|isted|isteyi|teleb|qopar)", r"pul ver(?:mesem|meyince|medim|dim)",
    r"hediyy?e", r"bexsis", r"cibine pul", r"el altdan",
    # ru
    r"взятк", r"взяточ", r"вымога", r"на лапу", r"откат\b",
    r"(?:просил|требовал|вымогал)[аи]? (?:деньг|денег|у меня деньг)", r"дай(?:те)? денег", r"подар(?:ок|ки) (?:просил|требовал)",
    r"vzyat", r"vziat", r"prosil[ai]? deng", r"trebov\w* deng",
    # en
    r"brib", r"extort", r"kickback", r"under the table", r"asked (?:me )?for (?:money|cash|a gift|gifts)",
    r"demanded (?:money|cash|a payment)", r"wanted (?:money|cash) to",
)
SAFETY_TERMS = (
    # az
    r"hedele", r"hede ged", r"vurdu", r"doydu", r"oldurec", r"oldurm", r"silah", r"bicaq", r"tehluk",
    r"yangin", r"zorakiliq", r"tehdid",
    # ru
    r"угрож", r"угроз", r"убь[юе]", r"убить", r"ударил", r"избил", r"нож\b", r"оружи", r"пожар", r"опасн",
    r"насили", r"ugroz", r"ugrozh", r"udaril", r"izbil",
    # en
    r"threat", r"kill", r"assault", r"violen", r"weapon", r"knife", r"gun\b", r"unsafe", r"danger",
    r"attacked", r"hit me\b", r"punched", r"harass",
)


def _compile(terms) -> re.Pattern:
    return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{t})" for t in terms) + r")\w*")


_INTEGRITY = _compile(INTEGRITY_TERMS)
_SAFETY = _compile(SAFETY_TERMS)


def urgent_matches(text: str) -> dict[str, list[str]]:
    """The words of ``text`` that make it urgent, by reason, as the citizen wrote them."""
    if not text:
        return {}
    folded = fold(text)
    # Folding keeps lengths except "İ" (one character either way here), so spans map back onto text.
    same_length = len(folded) == len(text)
    found: dict[str, list[str]] = {}
    for reason, pattern in ((FlagReason.integrity, _INTEGRITY), (FlagReason.safety, _SAFETY)):
        for match in pattern.finditer(folded):
            word = text[match.start():match.end()] if same_length else match.group(0)
            words = found.setdefault(str(reason), [])
            if word not in words:
                words.append(word)
    return found


@dataclass(frozen=True)
class TriageRules:
    """Configurable thresholds; built from the app config by ``from_config``."""

    low_rating: int = 2
    #: A rating at or above this is "high" for the mismatch rule.
    high_rating: int = 4
    confident_probability: float = 0.9
    due_hours: dict = field(default_factory=lambda: {"urgent": 4, "high": 24, "normal": 72})

    @classmethod
    def from_config(cls, config) -> TriageRules:
        return cls(
            low_rating=config["TRIAGE_LOW_RATING"],
            high_rating=config.get("TRIAGE_HIGH_RATING", 4),
            confident_probability=config["TRIAGE_CONFIDENT_PROBABILITY"],
            due_hours=dict(config["TRIAGE_DUE_HOURS"]),
        )

    def due_from(self, start: datetime, priority: Priority) -> datetime:
        """When a case of this priority is due if officers start on it at ``start``."""
        return start + timedelta(hours=self.due_hours[str(priority)])


@dataclass(frozen=True)
class TriageDecision:
    is_flagged: bool
    reasons: list[str]
    priority: Priority | None = None
    due_dt: datetime | None = None
    #: Urgent integrity or safety matters: only the integrity role sees them.
    is_restricted: bool = False
    #: The comment's words that made it urgent.
    urgent_terms: list[str] = field(default_factory=list)


def triage(
    rating: int, verdict: Verdict | None, now: datetime, rules: TriageRules, *, text: str = ""
) -> TriageDecision:
    """Decide the flag from the rating, the model's verdict (if any) and the comment's words."""
    reasons: list[str] = []
    if rating <= rules.low_rating:
        reasons.append(FlagReason.low_rating)
    confident = verdict is not None and verdict.probability >= rules.confident_probability
    if verdict is not None and verdict.is_complaint:
        reasons.append(FlagReason.model)
    if confident and rating >= rules.high_rating:
        reasons.append(FlagReason.mismatch)
    urgent = urgent_matches(text)
    reasons.extend(FlagReason(r) for r in urgent)
    if not reasons:
        return TriageDecision(is_flagged=False, reasons=[])
    if urgent:
        priority = Priority.urgent
    elif rating == 1 or confident:
        priority = Priority.high
    else:
        priority = Priority.normal
    return TriageDecision(
        is_flagged=True,
        reasons=[str(r) for r in reasons],
        priority=priority,
        due_dt=rules.due_from(now, priority),
        is_restricted=bool(urgent),
        urgent_terms=[word for words in urgent.values() for word in words],
    )
