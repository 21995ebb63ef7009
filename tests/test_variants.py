"""Which variant a buyer asks for, from the message alone (bot.variants)."""

from bot.variants import choose_variant

SHIRT = {
    "black-xl": {"options": {"color": "black", "size": "XL"}, "available": True},
    "black-s": {"options": {"color": "black", "size": "S"}, "available": True},
    "blue-xl": {"options": {"color": "blue", "size": "XL"}, "available": True},
    "blue-s": {"options": {"color": "blue", "size": "S"}, "available": True},
    "red-xl": {"options": {"color": "red", "size": "XL"}, "available": False},
    "red-s": {"options": {"color": "red", "size": "S"}, "available": True},
}


def test_the_named_option_changes_and_the_rest_stays():
    assert choose_variant(SHIRT, "black-xl", "I'd like it in size S").item_id == "black-s"
    assert choose_variant(SHIRT, "black-xl", "same shirt but blue please").item_id == "blue-xl"
    assert choose_variant(SHIRT, "black-xl", "from black to blue, size S").item_id == "blue-s"
    assert choose_variant(SHIRT, "black-xl", "换成蓝色的").item_id == "blue-xl"


def test_what_the_message_does_not_settle_is_asked_not_guessed():
    assert choose_variant(SHIRT, "black-xl", "it's too small, can I exchange it?").problem == "no_option_named"  # "it's" is not size S
    assert choose_variant(SHIRT, "black-xl", "blue or red, whichever").problem == "ambiguous"
    # Red in XL is sold out: the nearest red that is available is proposed (the confirmation names its size).
    assert choose_variant(SHIRT, "black-xl", "in red").item_id == "red-s"
    assert choose_variant({**SHIRT, "red-s": {**SHIRT["red-s"], "available": False}}, "black-xl", "in red").problem == "not_available"
