"""Masking personal data: the quick pre-checks never skip a pattern that would have matched."""

import random

import pytest

from ml.privacy import _PATTERNS, KINDS, PLACEHOLDERS, _replacement, mask


def every_pattern(text: str) -> str:
    """Every substitution, in order, with no shortcuts: what ``mask`` must equal."""
    for kind in KINDS:
        text = _PATTERNS[kind].sub(_replacement(kind, PLACEHOLDERS[kind]), text)
    return text


@pytest.mark.parametrize("text", [
    "Zəng edin +994 50 123 45 67, FIN 5ZK2R7M, a.b@mail.az, 4111 1111 1111 1111",
    "+1 23 45", "00 7 912", "050-123-45-67", "(012) 555 12 34", "994501234567", "123-45-67", "AZE 1234567",
    "aa12345678", "3 saat gözlədim", "5ZK2R7M", "ABCDEFG", "1234567", "nömrə 12-34, otaq 5", "e@x.y 12",
    "٣٤٥-٦٧-٨٩", "card 4111-1111-1111-1111 and 4111 1111 1111 1112", "",
    "AZ44 IBAZ 3809 0019 4412 3456 7890", "az81paha40060019440099887766", "GB69 BARC 2000 5512 3456 78 2024",
    "Mənim adım Orxan Məmmədov, nömrəm 050-123-45-67", "ФИО: Гасанов Эльчин Рауфович", "My name is Jane Doe",
    "Məmmədov Orxan Əli oğlu", "Анна Ильинична Кузнецова", "my name is spelled wrong", "Adım adım",
])
def test_mask_equals_every_pattern_in_turn(text):
    assert mask(text, PLACEHOLDERS) == every_pattern(text)


def test_mask_equals_every_pattern_on_random_text():
    rng = random.Random(0)
    alphabet = "0123456789" * 4 + " -.()+@AZEaa5KRM_xyz" + "٣" + "GBDE  "
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        assert mask(text, PLACEHOLDERS) == every_pattern(text), text


#: Words around names, capitalised and not, to build texts where a name pattern might or might not match.
NAME_WORDS = ("Orxan", "Əli", "Məmmədov", "Quliyeva", "oğlu", "qızı", "Oğlu", "adım", "Adım", "Mənim",
              "soyadım", "və", "Salam", "ſoyad:", "ADİM", "QİZİ", "belgədə", "Иван", "Иванов", "Петрович", "Ильинична", "Петровна", "Сидорова", "меня",
              "зовут", "ФИО:", "Ad", "soyad:", "my", "My", "name", "is", "John", "Smith", "a1@b.az", "5ZK2R7M",
              "Ok", ",", ".", "Ab", "Ç", "оглы", "КЫЗЫ", "Name:", "name's", "ASAN-da", "Hörmətli", "Только",
              "Фамилия", "имя:", "Ad,", "O'Connor", "Latın", "fin", "FİN:", "ФИН", "kodum", "5zk2r7m",
              "501234567", "55", "765")


def test_mask_equals_every_pattern_on_random_names():
    rng = random.Random(1)
    for _ in range(3000):
        text = " ".join(rng.choice(NAME_WORDS) for _ in range(rng.randint(1, 9)))
        assert mask(text, PLACEHOLDERS) == every_pattern(text), text


def test_the_model_never_reads_a_name_the_citizen_gives():
    redacted = mask("Mənim adım Orxan Məmmədov, 3 saat gözlədim", PLACEHOLDERS)
    assert "Orxan" not in redacted and "Məmmədov" not in redacted
    assert PLACEHOLDERS["name"] in redacted
