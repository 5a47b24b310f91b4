"""Demo data for a newcomer's first run: a few centers and their services, created once."""

from __future__ import annotations

import sqlalchemy as sa

from feedback.extensions import db
from feedback.models import Center, Service

DEMO_SERVICES = {
    "id-card": {"az": "Şəxsiyyət vəsiqəsi", "ru": "Удостоверение личности", "en": "Identity card"},
    "passport": {"az": "Ümumvətəndaş pasportu", "ru": "Общегражданский паспорт", "en": "Passport"},
    "residence": {"az": "Yaşayış yeri üzrə qeydiyyat", "ru": "Регистрация по месту жительства", "en": "Residence registration"},
    "driving": {"az": "Sürücülük vəsiqəsi", "ru": "Водительское удостоверение", "en": "Driving licence"},
    "civil-registry": {"az": "Vətəndaşlıq vəziyyəti aktları", "ru": "Регистрация актов гражданского состояния", "en": "Civil registry"},
    "notary": {"az": "Notariat xidmətləri", "ru": "Нотариальные услуги", "en": "Notary services"},
    "real-estate": {"az": "Daşınmaz əmlakın qeydiyyatı", "ru": "Регистрация недвижимости", "en": "Real-estate registration"},
    "pension": {"az": "Pensiya və sosial müavinətlər", "ru": "Пенсии и социальные пособия", "en": "Pensions and social benefits"},
    "migration": {"az": "Miqrasiya xidmətləri", "ru": "Миграционные услуги", "en": "Migration services"},
    "criminal-record": {"az": "Məhkumluq haqqında arayış", "ru": "Справка о несудимости", "en": "Criminal record certificate"},
}

DEMO_CENTERS = [
    ("baku-1", "Bakı", {"az": "Bakı 1 saylı xidmət mərkəzi", "ru": "Бакинский центр обслуживания №1", "en": "Baku Service Center No. 1"}),
    ("baku-3", "Bakı", {"az": "Bakı 3 saylı xidmət mərkəzi", "ru": "Бакинский центр обслуживания №3", "en": "Baku Service Center No. 3"}),
    ("sumqayit", "Abşeron", {"az": "Sumqayıt xidmət mərkəzi", "ru": "Сумгайытский центр обслуживания", "en": "Sumgait Service Center"}),
    ("gence", "Gəncə-Daşkəsən", {"az": "Gəncə xidmət mərkəzi", "ru": "Гянджинский центр обслуживания", "en": "Ganja Service Center"}),
    ("mobile-1", "Mobil", {"az": "Mobil xidmət avtobusu 1", "ru": "Мобильный автобус обслуживания 1", "en": "Mobile service bus 1"}),
]


def seed_demo_centers() -> list[Center]:
    """Create the demo centers and services that are missing; return every demo center."""
    centers = []
    for code, region, names in DEMO_CENTERS:
        center = db.session.scalar(sa.select(Center).where(Center.code == code))
        if center is None:
            center = Center(code=code, region=region, names=names)
            db.session.add(center)
            db.session.flush()
        existing = {s.code for s in center.services}
        for position, (service_code, service_names) in enumerate(DEMO_SERVICES.items()):
            if service_code not in existing:
                db.session.add(Service(center=center, code=service_code, names=service_names, position=position))
        centers.append(center)
    db.session.flush()
    return centers
