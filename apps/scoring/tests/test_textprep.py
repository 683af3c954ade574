"""Tests for ``apps.scoring.textprep.prepare``: every kind of bad input comes back safe, never raises."""

from __future__ import annotations

import dataclasses
import random

import pytest

from apps.scoring.textprep import OK, TRUNCATED, UNSCORABLE, UNSUPPORTED_LANGUAGE, Prepared, prepare


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t \r\n", b"", b"  \n"])
def test_it_marks_empty_or_whitespace_text_unscorable(text: str | bytes | None) -> None:
    result = prepare(text)
    assert result.status == UNSCORABLE
    assert result.reason == "empty text"
    assert result.text == ""
    assert not result.scorable


def test_it_passes_plain_english_through_as_ok() -> None:
    result = prepare("  I love this product,\n\n it works   great  ")
    assert result == Prepared("I love this product, it works great", OK, "", (), "en")
    assert result.scorable


def test_it_decodes_utf8_bytes() -> None:
    result = prepare("Café was lovely 😊".encode())
    assert result.status == OK
    assert result.text == "Café was lovely 😊"


def test_it_decodes_legacy_cp1252_bytes_instead_of_dropping_letters() -> None:
    result = prepare("The café was lovely".encode("cp1252"))
    assert result.status == OK
    assert result.text == "The café was lovely"
    assert "decoded_cp1252" in result.flags


def test_it_keeps_utf8_text_with_one_damaged_byte() -> None:
    result = prepare("I am happy with the café".encode() + b"\xff")
    assert result.status == OK
    assert result.text == "I am happy with the café"
    assert "decode_errors" in result.flags


def test_it_marks_binary_junk_unscorable() -> None:
    rng = random.Random(0)
    junk = bytes(rng.randrange(256) for _ in range(2000))
    result = prepare(junk)
    assert result.status == UNSCORABLE
    assert result.reason == "binary or non-text content"
    assert result.text == ""


def test_it_marks_high_bytes_that_only_decode_as_symbol_soup_unscorable() -> None:
    rng = random.Random(1)
    result = prepare(bytes(rng.randrange(0xA0, 0x100) for _ in range(500)))
    assert result.status == UNSCORABLE


def test_it_marks_binary_with_nul_bytes_unscorable() -> None:
    result = prepare(b"PK\x03\x04\x14\x00\x00\x00\x08\x00word.xml\x00\x00\x01\x02")
    assert result.status == UNSCORABLE
    assert result.reason == "binary or non-text content"


def test_it_marks_a_string_full_of_control_and_replacement_chars_unscorable() -> None:
    result = prepare("ok\x00\x01\x02\ufffd\ufffd\x1b\x7f text\x03\x04\x05")
    assert result.status == UNSCORABLE
    assert result.reason == "binary or non-text content"


def test_it_removes_a_few_stray_control_chars_and_still_scores() -> None:
    result = prepare("I am really happy with the fast delivery\x00 of my order\x1b today")
    assert result.status == OK
    assert result.text == "I am really happy with the fast delivery of my order today"
    assert "control_chars_removed" in result.flags


def test_it_never_lets_a_lone_surrogate_through() -> None:
    result = prepare("I am happy \ud83d with it, thanks a lot for the help")
    result.text.encode("utf-8")  # would raise on a lone surrogate
    assert result.status == OK


def test_it_strips_html_tags_scripts_and_styles_and_unescapes_entities() -> None:
    html = (
        "<html><head><title>Ticket</title><style>p { color: red }</style></head><body>"
        "<p>I am <b>so</b> angry&nbsp;&amp; sad</p><script>alert('happy')</script>"
        "<div>Second&#33;</div></body></html>"
    )
    result = prepare(html)
    assert result.status == OK
    assert result.text == "I am so angry & sad Second!"
    assert "html_stripped" in result.flags


def test_it_separates_words_in_adjacent_html_blocks() -> None:
    assert prepare("<p>terrible</p><p>service</p>").text == "terrible service"


@pytest.mark.parametrize("text", ["I <3 you so much", "the price a<b and c>d is odd", "x < y > z"])
def test_it_does_not_treat_heart_emoticons_or_comparisons_as_html(text: str) -> None:
    result = prepare(text)
    assert result.text == text
    assert "html_stripped" not in result.flags


def test_it_unescapes_entities_in_text_without_tags() -> None:
    result = prepare("Tom &amp; Jerry are &quot;great&quot; friends")
    assert result.text == 'Tom & Jerry are "great" friends'
    assert "html_unescaped" in result.flags


def test_it_truncates_megabyte_text_at_a_word_boundary() -> None:
    text = "I am very unhappy with the delivery. " * 30_000  # ~1.1 MB
    result = prepare(text, max_chars=5000)
    assert result.status == TRUNCATED
    assert result.scorable
    assert "truncated" in result.flags
    assert 4000 < len(result.text) <= 5000
    assert text.startswith(result.text)
    assert text[len(result.text)] == " "  # the last word is complete
    assert str(len(text)) in result.reason


def test_it_truncates_one_giant_word_hard_rather_than_losing_the_budget() -> None:
    result = prepare("a" * 20_000, max_chars=100)
    assert result.status == TRUNCATED
    assert result.text == "a" * 100


def test_it_truncates_megabyte_bytes_without_decoding_errors_at_the_cut() -> None:
    result = prepare(("Très déçu, vraiment triste. " * 40_000).encode(), max_chars=1000, supported_languages={"fr"})
    assert result.status == TRUNCATED
    assert "decode_errors" not in result.flags
    assert "\ufffd" not in result.text
    assert len(result.text) <= 1000


def test_it_keeps_text_that_fits_exactly() -> None:
    text = "happy " * 10
    assert prepare(text, max_chars=len(text)).status == OK


def test_it_keeps_emoji_only_text_and_flags_it() -> None:
    result = prepare("😡😡🤬")
    assert result.status == OK
    assert result.scorable
    assert result.text == "😡😡🤬"
    assert "emoji_only" in result.flags
    assert result.language == "und"


def test_it_keeps_emoji_only_text_even_when_the_declared_language_is_unsupported() -> None:
    result = prepare("😂😂", declared_language="es")
    assert result.status == OK
    assert "emoji_only" in result.flags


@pytest.mark.parametrize("text", [":)", ":-( ", "<3 <3"])
def test_it_keeps_ascii_emoticon_only_text(text: str) -> None:
    result = prepare(text)
    assert result.status == OK
    assert "emoji_only" in result.flags


@pytest.mark.parametrize("text", ["!!!!", "12345", "... ??? !!!", "$100.00 - 20%", "[NAME]", "[NAME] [RELIGION]"])
def test_it_marks_text_without_words_or_emoji_unscorable(text: str) -> None:
    result = prepare(text)
    assert result.status == UNSCORABLE
    assert result.reason == "no words to score"


def test_it_keeps_name_placeholders() -> None:
    result = prepare("[NAME] was   so helpful, thank you [NAME]!")
    assert result.status == OK
    assert result.text == "[NAME] was so helpful, thank you [NAME]!"


def test_it_flags_mixed_scripts() -> None:
    result = prepare("I really love the sushi 寿司 and the ラーメン here")
    assert result.status == OK
    assert "mixed_scripts" in result.flags
    assert result.language == "en"


def test_it_flags_latin_and_cyrillic_mixed_in_one_message() -> None:
    assert "mixed_scripts" in prepare("Hello мир, how are you today?").flags


def test_it_does_not_flag_japanese_kana_and_kanji_as_mixed_scripts() -> None:
    result = prepare("この製品はとても良いです")
    assert "mixed_scripts" not in result.flags


def test_it_does_not_flag_one_stray_foreign_letter_as_mixed_scripts() -> None:
    assert "mixed_scripts" not in prepare("The delivery of my parcel was great, thanks π").flags


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Me encanta este producto, pero el envío fue muy lento", "es"),
        ("Je suis très content du service, merci beaucoup", "fr"),
        ("Das ist nicht gut, ich bin sehr enttäuscht", "de"),
        ("Eu estou muito feliz com o produto", "pt"),
        ("Sono molto contento del servizio, grazie", "it"),
        ("Ik ben niet blij met de levering van mijn pakket", "nl"),
    ],
)
def test_it_marks_other_latin_script_languages_unsupported(text: str, language: str) -> None:
    result = prepare(text)
    assert result.status == UNSUPPORTED_LANGUAGE
    assert result.language == language
    assert language in result.reason
    assert not result.scorable


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("この製品はとても良いです。ありがとう！", "ja"),
        ("我很惊讶地看到这个产品如此有用", "zh"),
        ("안녕하세요 반갑습니다 정말 좋아요", "ko"),
        ("Привет, как дела? Всё отлично", "ru"),
        ("مرحبا كيف حالك اليوم", "ar"),
        ("नमस्ते आप कैसे हैं", "hi"),
    ],
)
def test_it_marks_non_latin_script_text_unsupported(text: str, language: str) -> None:
    result = prepare(text)
    assert result.status == UNSUPPORTED_LANGUAGE
    assert result.language == language


def test_it_marks_a_declared_unsupported_language() -> None:
    result = prepare("Great product, thanks a lot", declared_language="es-MX")
    assert result.status == UNSUPPORTED_LANGUAGE
    assert result.language == "es"
    assert "declared" in result.reason


def test_it_trusts_a_declared_supported_language_for_latin_text() -> None:
    result = prepare("Hola que tal, the order was fine", declared_language="EN_gb")
    assert result.status == OK
    assert result.language == "en"


def test_it_overrides_declared_english_when_the_text_is_in_another_script() -> None:
    result = prepare("これは日本語の文章です", declared_language="en")
    assert result.status == UNSUPPORTED_LANGUAGE
    assert result.language == "ja"


def test_it_assumes_the_supported_language_for_very_short_texts() -> None:
    for text in ("Hola amigo", "ok", "Merci!", "thx"):
        result = prepare(text)
        assert result.status == OK, text
        assert result.language == "en"


def test_it_keeps_english_with_a_short_foreign_phrase() -> None:
    result = prepare("The product is great but la livraison est lente")
    assert result.status == OK
    assert result.language == "en"


def test_it_does_not_refuse_latin_text_it_cannot_place() -> None:
    result = prepare("Xylophone zebra quokka marmalade")
    assert result.status == OK
    assert result.language == "und"


def test_it_accepts_other_languages_when_they_are_supported() -> None:
    result = prepare("Me encanta este producto, pero el envío fue lento", supported_languages={"en", "es"})
    assert result.status == OK
    assert result.language == "es"


def test_it_normalises_nfkc_and_collapses_whitespace() -> None:
    result = prepare("Ｆｕｌｌｗｉｄｔｈ\u00a0text   is\n\nﬁne")
    assert result.text == "Fullwidth text is fine"


def test_it_removes_zero_width_and_bidi_control_characters() -> None:
    result = prepare("zero\u200bwidth \u202eevil\u202c text and\ufeff more words")
    assert result.text == "zerowidth evil text and more words"


def test_it_keeps_zero_width_joiners_inside_emoji_sequences() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert family in prepare(f"Lovely day with the {family} today").text


def test_it_reports_non_text_objects_as_unscorable() -> None:
    result = prepare(12345)  # type: ignore[arg-type]
    assert result.status == UNSCORABLE
    assert "not text" in result.reason


def test_it_rejects_a_nonpositive_character_budget() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        prepare("hello", max_chars=0)


def test_prepared_results_are_frozen() -> None:
    result = prepare("hello there")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "changed"  # type: ignore[misc]


def test_it_never_raises_on_random_unicode_or_bytes() -> None:
    rng = random.Random(42)
    pool = [chr(c) for c in [*range(0, 0x250), *range(0x400, 0x450), *range(0x3040, 0x30A0), *range(0x1F300, 0x1F650)]]
    pool += ["\ufffd", "\ud800", "\u200d", "\ufe0f", "<p>", "</b>", "&amp;", "[NAME]", " "]
    for _ in range(500):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 120)))
        for value in (
            text,
            text.encode("utf-8", "surrogatepass"),
            bytes(rng.randrange(256) for _ in range(50)),
        ):
            result = prepare(value, max_chars=50)
            assert result.status in {OK, TRUNCATED, UNSCORABLE, UNSUPPORTED_LANGUAGE}
            assert len(result.text) <= 50
            result.text.encode("utf-8")
