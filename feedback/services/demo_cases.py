"""Demo staff accounts and ~40 realistic submissions, so a newcomer sees a working queue.

Submissions go through submit_feedback with fixed idempotency keys, and accounts are created only
when missing, so running seed-demo twice adds nothing. The fixed password is for the demo ONLY.
"""

from __future__ import annotations

from datetime import timedelta

from feedback.models import Channel, Role
from feedback.models._types import utcnow
from feedback.services.accounts import create_user, find_user
from feedback.services.submit import FeedbackInput, IdempotencyConflict, submit_feedback

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  # nosec B105 (printed by seed-demo; demo seed only)
DEMO_USERS = [
    ("demo.officer", Role.officer, {"center_codes": ["baku-1", "baku-3"]}, "Demo Officer"),
    ("demo.supervisor", Role.supervisor, {"region": "Bakı"}, "Demo Supervisor"),
    ("demo.integrity", Role.integrity, {}, "Demo Integrity Officer"),
    ("demo.admin", Role.admin, {}, "Demo Admin"),
]

# (center, service, rating, language, comment, contact)
DEMO_FEEDBACK = [
    ("baku-1", "id-card", 5, "az", "Çox sürətli xidmət, işçilər nəzakətli idi. Təşəkkür edirəm!", None),
    ("baku-1", "passport", 1, "az", "İki saat növbədə gözlədim, heç kim izah vermədi.", "+994 50 123 45 67"),
    ("baku-1", "driving", 2, "az", "Sistem işləmir dedilər, sabah yenidən gəlməliyəm.", None),
    ("baku-1", "residence", 1, "az", "İşçi məndən pul istədi ki, sənədi tez hazırlasın.", "+994 55 765 43 21"),
    ("baku-1", "notary", 4, "az", "Yaxşı idi, amma oturmağa yer az idi.", None),
    ("baku-1", "pension", 2, "az", "Növbə ədalətli deyil, tanışlarını qabağa keçirirlər.", None),
    ("baku-1", "passport", 5, "az", "Əla, 10 dəqiqəyə hər şey hazır oldu.", None),
    ("baku-1", "id-card", 3, "az", "", None),
    ("baku-1", "criminal-record", 1, "az", "rusvet isteyirdi, yoxsa arayis gec olacaq dedi", None),
    ("baku-1", "migration", 2, "en", "The officer was rude and refused to explain which documents were missing.", "john@example.com"),
    ("baku-1", "migration", 5, "en", "Quick and friendly, thank you.", None),
    ("baku-1", "real-estate", 1, "ru", "Ждали три часа, никто ничего не объяснил.", None),
    ("baku-1", "civil-registry", 4, "ru", "Всё хорошо, спасибо сотрудникам.", None),
    ("baku-1", "passport", 2, "ru", "Система не работает уже второй день, отправили домой.", "+994 70 111 22 33"),
    ("baku-3", "id-card", 1, "ru", "Сотрудник просили деньги за ускорение, это взятка.", None),
    ("baku-3", "driving", 2, "az", "Kondisioner işləmirdi, zal çox isti idi.", None),
    ("baku-3", "passport", 5, "az", "Hər şey qaydasında idi.", None),
    ("baku-3", "notary", 1, "az", "Üç dəfə gəldim, hər dəfə başqa sənəd istədilər.", None),
    ("baku-3", "pension", 4, "ru", "Быстро, вежливо.", None),
    ("baku-3", "residence", 2, "en", "Waited 90 minutes, the queue screen was broken.", None),
    ("baku-3", "migration", 1, "en", "A man at the entrance threatened me when I asked about the queue.", None),
    ("baku-3", "id-card", 5, "en", "Excellent service.", None),
    ("baku-3", "real-estate", 2, "az", "Məlumat səhv verildi, vaxtım itdi.", None),
    ("baku-3", "civil-registry", 3, "az", "Normal idi.", None),
    ("sumqayit", "passport", 1, "az", "Pul istedi, vermesem isi uzadacagini dedi.", None),
    ("sumqayit", "id-card", 2, "az", "Əlil arabası üçün pandus yoxdur.", None),
    ("sumqayit", "driving", 5, "az", "Çox razı qaldım.", None),
    ("sumqayit", "pension", 2, "ru", "Грубо разговаривали, не хотели принимать документы.", None),
    ("sumqayit", "residence", 4, "ru", "Нормально, но долго.", None),
    ("sumqayit", "notary", 1, "en", "Staff asked for money to skip the queue.", None),
    ("gence", "passport", 2, "az", "Növbə çox uzun idi, 3 saat gözlədim.", None),
    ("gence", "id-card", 5, "az", "Təşəkkürlər, hər şey aydın izah olundu.", None),
    ("gence", "driving", 1, "ru", "Сказали прийти завтра, система не работает.", None),
    ("gence", "pension", 2, "az", "Hədiyyə gətirməyimi işarə etdilər.", None),
    ("gence", "real-estate", 4, "en", "Good, but parking is hard.", None),
    ("mobile-1", "id-card", 5, "az", "Mobil avtobus kəndimizə gəldi, çox rahat oldu.", None),
    ("mobile-1", "passport", 2, "az", "Avtobus gec gəldi, iki saat çöldə gözlədik.", None),
    ("mobile-1", "pension", 1, "ru", "Не приняли заявление, сказали ехать в город.", None),
    ("mobile-1", "driving", 4, "en", "Convenient, thank you.", None),
    ("mobile-1", "civil-registry", 2, "ru", "Долго ждали, холодно.", None),
]


def seed_demo_users() -> list[tuple[str, bool]]:
    """Create the missing demo accounts; return (username, created) pairs."""
    out = []
    for username, role, scope, name in DEMO_USERS:
        if find_user(username) is not None:
            out.append((username, False))
            continue
        create_user(username, DEMO_PASSWORD, role, display_name=name, now=utcnow(), **scope)
        out.append((username, True))
    return out


def seed_demo_feedback(*, classifier, rules) -> int:
    """Submit the demo feedback (spread over the last days); return how many were new."""
    created = 0
    now = utcnow()
    for i, (center, service, rating, language, comment, contact) in enumerate(DEMO_FEEDBACK):
        data = FeedbackInput(
            center_code=center, service_code=service, rating=rating, language=language, comment=comment,
            contact=contact, is_contact_consented=contact is not None,
        )
        try:
            outcome = submit_feedback(
                data, channel=Channel.qr, classifier=classifier, rules=rules,
                idempotency_key=f"demo-feedback-{i:03d}", now=now - timedelta(hours=7 * (len(DEMO_FEEDBACK) - i)),
            )
        except IdempotencyConflict:
            continue  # seeded before from a text edited since: the demo keeps what it has
        created += outcome.is_created
    return created
