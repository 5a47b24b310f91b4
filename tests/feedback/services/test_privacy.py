"""Personal data in comments is masked before officers, exports or the model see it."""

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from factories import make_case, make_center, make_submission
from feedback.extensions import db
from feedback.models import AdminAction, AdminEvent, Case, CaseEvent, EventKind, Submission
from feedback.services.privacy import (
    CARD_MASK,
    EMAIL_MASK,
    FIN_MASK,
    IBAN_MASK,
    ID_MASK,
    NAME_MASK,
    PHONE_MASK,
    mask_personal_data,
    remask_stored_comments,
)


@pytest.mark.parametrize(
    "text, secret, mask",
    [
        ("Zəng edin: +994 50 123 45 67", "123 45 67", PHONE_MASK),
        ("nömrəm +994501234567 dir", "501234567", PHONE_MASK),
        ("мой номер 050-123-45-67", "123-45-67", PHONE_MASK),
        ("Bakı ofisi (012) 555 12 34", "555 12 34", PHONE_MASK),
        ("call me on 0557654321 please", "7654321", PHONE_MASK),
        ("+7 912 345 67 89 — звоните", "912 345", PHONE_MASK),
        ("yazın: elvin.mammadov@mail.az", "elvin.mammadov", EMAIL_MASK),
        ("FIN kodum 5ZK2R7M idi", "5ZK2R7M", FIN_MASK),
        # After the word FIN, a phone's lower case too; a mobile typed without its 0.
        ("fin kodum 5zk2r7m, zəng edin", "5zk2r7m", FIN_MASK),
        ("ФИН: 5zk2r7m", "5zk2r7m", FIN_MASK),
        ("nomrem 501234567 cavab verin", "1234567", PHONE_MASK),
        ("zeng edin 55 765 43 21", "765 43 21", PHONE_MASK),
        ("şəxsiyyət vəsiqəsi AZE12345678", "12345678", ID_MASK),
        ("yeni vəsiqə AA 1234567", "1234567", ID_MASK),
        ("kart 4111 1111 1111 1111 ilə ödədim", "4111 1111", CARD_MASK),
        # IBANs, as printed on a statement and as typed on a phone; the check digits are valid.
        ("Rüsumu iki dəfə ödədim, pulu AZ44 IBAZ 3809 0019 4412 3456 7890 hesabıma qaytarın",
         "3809 0019", IBAN_MASK),
        ("верните деньги на счёт az81paha40060019440099887766 пожалуйста", "40060019440099887766", IBAN_MASK),
        ("Refund the visa fee to my account DE44 5001 0517 5407 3249 31, paid twice", "5407 3249", IBAN_MASK),
        ("GB69BARC20005512345678 is my account", "20005512345678", IBAN_MASK),
    ],
)
def test_personal_data_is_masked(text, secret, mask):
    masked = mask_personal_data(text)
    assert secret not in masked
    assert mask in masked


@pytest.mark.parametrize(
    "text",
    [
        "2 saat gözlədim, 3-cü dəfə gəlirəm",
        "Очередь 45 минут, окно 12",
        "Növbə nömrəsi A-102 idi",
        "Paid 25 AZN fee on 12.03.2024",
        "ASAN xidmət çox yaxşıdır",
        "DOCUMENT",  # seven capital letters but no digit: a word, not a FIN
        "final 3 saat gözlədik, fin kodu tələb olunmadı",
        "Sifariş 123456789 hələ hazır deyil",  # nine digits, but no mobile code first
    ],
)
def test_ordinary_numbers_and_words_are_left_alone(text):
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "hesab AZ45 IBAZ 3809 0019 4412 3456 7890",  # one check digit off: not an IBAN
        "Sifariş AZ2024 1234 5678 qəbul olunmadı",  # too short for any IBAN
        "Model SN12 ABCD EFGH 1234 printer işləmir",
    ],
)
def test_text_shaped_like_an_iban_that_fails_its_check_is_left_alone(text):
    assert IBAN_MASK not in mask_personal_data(text)


@pytest.mark.parametrize("text", [
    "İS12ABCDEFGHIJKLMN yazılıb",  # Azerbaijani capitals are no IBAN letters
    "AZ44 \u212aBAZ 3809 0019 4412 3456 7890",  # a Kelvin sign where the K would be
    "az44ıbaz38090019441234567890",
])
def test_lookalike_letters_in_an_iban_shape_neither_fail_nor_count_as_one(text):
    assert IBAN_MASK not in mask_personal_data(text)


def test_an_iban_keeps_the_number_written_after_it():
    masked = mask_personal_data("AZ44 IBAZ 3809 0019 4412 3456 7890 2024 ildən açıqdır")
    assert masked == f"{IBAN_MASK} 2024 ildən açıqdır"


def test_a_number_that_fails_luhn_is_not_a_bank_card():
    assert CARD_MASK not in mask_personal_data("sifariş 1234 5678 9012 3456")


def test_masking_keeps_the_rest_of_the_comment():
    masked = mask_personal_data("Əməkdaş kobud idi. Nömrəm +994 55 765 43 21, e-poçt a@b.az")
    assert masked.startswith("Əməkdaş kobud idi. Nömrəm ")
    assert masked.count(PHONE_MASK) == 1 and masked.count(EMAIL_MASK) == 1


@pytest.mark.parametrize(
    "text, name, kept",
    [
        # A citizen gives their own name, in each language and as people type it.
        ("Mənim adım Orxan Məmmədov, 3 saat növbədə gözlədim", "Orxan", "Mənim adım "),
        ("Adım Günəldir. Sənədlərimi itirdilər", "Günəl", "Adım "),
        ("Salam, adım Rəşad. Sistem yenə işləmirdi", "Rəşad", "Salam, adım "),
        ("menim adim Elvin Quliyev, vesiqem hele hazir deyil", "Quliyev", "menim adim "),
        ("Adım və soyadım Aygün Həsənova, zəng edin", "Həsənova", "Adım və soyadım "),
        ("Меня зовут Иван Петров, жду справку вторую неделю", "Петров", "Меня зовут "),
        ("Моя фамилия Алиева, документы потеряли", "Алиева", "Моя фамилия "),
        ("ФИО: Гасанов Эльчин Рауфович. Прошу перезвонить", "Эльчин", "ФИО: "),
        ("My name is John Smith and my permit is a month late", "Smith", "My name is "),
        ("Ad soyad: Leyla Vaqif qızı Quliyeva", "Vaqif", "Ad soyad: "),
        ("Adım: Səid Kərimov. Doğum haqqında şəhadətnaməni gözləyirəm", "Kərimov", "Adım: "),
        ("Фамилия, имя: Орлова Светлана. Справку не выдали", "Орлова", "Фамилия, имя: "),
        ("My name's Elnur Karimov, the permit is late", "Karimov", "My name's "),
        ("My name is O'Connor, I was sent to three desks", "O'Connor", "My name is "),
        # Only the name: a capitalised word after it that is no name part stays.
        ("my name is Kamila Huseynli Yesterday I waited 4 hours", "Huseynli", "my name is "),
        ("Mənim adım Aysel Quliyeva Nəsimi rayonunda yaşayıram", "Quliyeva", "Mənim adım "),
        # A full formal name, without a cue.
        ("Гусейнов Рашад Ильхам оглы, жду замену прав", "Рашад", ""),
        ("Məmmədov Orxan Əli oğlu adına arayış səhv yazılıb", "Orxan", ""),
        ("Nigar Rauf qızı Əliyeva üçün vəsiqə", "Rauf", ""),
        ("Сидорова Мария Петровна, паспорт не готов", "Мария", ""),
        ("Прошу связаться: Анна Ильинична Кузнецова", "Кузнецова", "Прошу связаться: "),
    ],
)
def test_names_a_citizen_gives_are_masked(text, name, kept):
    masked = mask_personal_data(text)
    assert name not in masked
    assert masked.startswith(kept + NAME_MASK)


@pytest.mark.parametrize(
    "text",
    [
        # "name" words that introduce no name
        "Adım səhv yazılıb, düzəltmək üçün üç dəfə gəldim",  # my name is misspelt
        "Adım adım izah etdilər, çox sağ olun",  # step by step
        "Bir adım da irəli getmədi növbə",
        "Vəsiqədə adım Latın hərfləri ilə səhv yazılıb",  # my name, written in Latin letters
        "My name is spelled wrong on the new card",
        "Picked up my card and my name is misspelt",
        "меня зовут к окну только через час",
        "Имя в справке написали с ошибкой",
        # staff named the everyday way: officers follow these up
        "Leyla xanım çox kobud idi",
        "Orxan müəllim hər şeyi izah etdi",
        "Сотрудница Анна Петровна нагрубила",
        "Спасибо Анна Петровна, всё быстро",
        "Mr Smith at desk 4 was rude",
        "Hörmətli Leyla Arif qızı çox diqqətli idi",
        "Только Мария Ивановна нормально объяснила",
        # a cue followed by what is no name: an acronym with a case ending, a place, a language
        "Mənim adım ASAN-da səhv yazılıb",
        "Menim adim ASAN Pay sisteminde gorunmur",
        "Моя фамилия ЗАГСом записана неверно",
        "My name is English in my passport but Azerbaijani in the ID card",
        "Mənim adım Azərbaycan əlifbasında düz yazılmayıb",
        # family words that are no patronymic
        "Qızımın pasportunu vaxtında verdilər",
        "Oğlum üçün arayış aldıq",
        "Bugün Leyla qızı ilə gəlmişdi",
        "Отличное обслуживание, лично проверил",
    ],
)
def test_words_about_names_and_staff_names_are_left_alone(text):
    assert mask_personal_data(text) == text


@pytest.mark.parametrize("text", ["", None])
def test_empty_comments_pass_through(text):
    assert mask_personal_data(text) == text


IBAN_COMMENT = "Pulu AZ44 IBAZ 3809 0019 4412 3456 7890 hesabıma qaytarın"


def _masked_texts(app) -> dict[str, str]:
    with app.app_context():
        return dict(db.session.execute(sa.select(Submission.comment, Submission.comment_masked)).all())


def _seed_stored_before_iban_masking(app):
    """Comments as an earlier version stored them: its patterns left IBANs in the masked text."""
    with app.app_context():
        center = make_center("baku-1")
        # The model read the text as masked then, so its reasons may quote the account number.
        make_submission(center, comment=IBAN_COMMENT, comment_masked=IBAN_COMMENT,
                        model_reasons=["IBAZ", "qaytarın", "AZ44 IBAZ", "Pulu (negated)"])
        make_submission(center, comment="Zəng edin +994 50 123 45 67", comment_masked=f"Zəng edin {PHONE_MASK}",
                        model_reasons=["Zəng"])
        make_submission(center, comment="Hər şey yaxşı idi")
        make_submission(center, rating=5)


def test_remasking_masks_what_earlier_patterns_missed_and_logs_the_run(app):
    _seed_stored_before_iban_masking(app)
    with app.app_context():
        # One per batch: the batches must not skip or repeat a comment.
        assert remask_stored_comments(now=datetime.now(timezone.utc), batch_size=1).submissions == 1
        db.session.commit()
        (line,) = db.session.scalars(sa.select(AdminEvent)).all()
        assert line.action == AdminAction.comments_remasked and line.details == {"submissions": 1, "case_texts": 0}
    masked = _masked_texts(app)
    assert masked[IBAN_COMMENT] == f"Pulu {IBAN_MASK} hesabıma qaytarın"
    assert masked["Zəng edin +994 50 123 45 67"] == f"Zəng edin {PHONE_MASK}"
    assert masked["Hər şey yaxşı idi"] == "Hər şey yaxşı idi"


def test_remasking_drops_the_reasons_that_quoted_what_is_now_masked(app):
    _seed_stored_before_iban_masking(app)
    with app.app_context():
        remask_stored_comments(now=datetime.now(timezone.utc))
        db.session.commit()
        reasons = dict(db.session.execute(sa.select(Submission.comment, Submission.model_reasons)).all())
    assert reasons[IBAN_COMMENT] == ["qaytarın", "Pulu (negated)"]
    assert reasons["Zəng edin +994 50 123 45 67"] == ["Zəng"]  # its masked text did not change


def test_the_remask_command_commits_and_a_second_run_finds_nothing(app, runner):
    _seed_stored_before_iban_masking(app)
    result = runner.invoke(args=["privacy", "remask"])
    assert result.exit_code == 0, result.output
    assert "changed in 1 submissions, case notes and resolution messages in 0" in result.output
    assert IBAN_MASK in _masked_texts(app)[IBAN_COMMENT]
    assert "changed in 0 submissions" in runner.invoke(args=["privacy", "remask"]).output


def test_remasking_masks_the_notes_and_resolution_messages_kept_as_typed_before(app):
    with app.app_context():
        case = make_case(make_center("baku-1"))
        # As kept before notes and messages were masked when written.
        db.session.add(CaseEvent(case_id=case.id, kind=EventKind.note, created_dt=datetime.now(timezone.utc),
                                 detail={"text": "Zəng etdim +994 55 765 43 21"}))
        db.session.add(CaseEvent(case_id=case.id, kind=EventKind.note, created_dt=datetime.now(timezone.utc),
                                 detail={"text": "Heç nə yoxdur"}))
        case.resolution_message = "FIN 5ZK2R7M ilə gəlin"
        db.session.commit()
        remask_stored_comments(now=datetime.now(timezone.utc), batch_size=1)
        db.session.commit()
        notes = db.session.scalars(sa.select(CaseEvent.detail).where(CaseEvent.kind == EventKind.note)
                                   .order_by(CaseEvent.id)).all()
        assert [n["text"] for n in notes] == [f"Zəng etdim {PHONE_MASK}", "Heç nə yoxdur"]
        assert db.session.scalar(sa.select(Case.resolution_message)) == f"FIN {FIN_MASK} ilə gəlin"
        (line,) = db.session.scalars(sa.select(AdminEvent)).all()
        assert line.details == {"submissions": 0, "case_texts": 2}
