from bot.grounding import check_draft, echo_ratio, is_looping, support_ratio, unsupported_numbers

INSTRUCTIONS = "You are the customer-service assistant of an online shop. Answer in English."
RETURNS = "[1] Returns: delivered items can be returned within 30 days; refunds go to the original payment method."


def test_a_fluent_grounded_answer_passes():
    draft = "You can return delivered items within 30 days; refunds go to the original payment method [1]."
    assert check_draft(draft, "en", "What is the return policy?", INSTRUCTIONS, RETURNS) is None


def test_loops_are_caught_in_both_languages():
    assert is_looping("I can help you. I can help you. I can help you. I can help you.")
    assert is_looping("您好您好您好您好您好您好您好您好")
    assert check_draft("the order the order the order the order the order", "en", "q", INSTRUCTIONS, RETURNS) == "loop"
    assert not is_looping("Refunds to a gift card are immediate; card refunds take 5-7 business days.")


def test_echo_of_the_prompt_is_caught():
    question = "What is the return policy for a delivered order?"
    assert echo_ratio("What is the return policy for a delivered order?", question) == 1.0
    assert check_draft("You are the customer-service assistant of an online shop.", "en", question, INSTRUCTIONS, RETURNS) == "echo"


def test_wrong_language_and_empty_drafts_are_rejected():
    assert check_draft("Returns are accepted within 30 days.", "zh", "退货政策是什么？", INSTRUCTIONS, RETURNS) == "wrong_language"
    assert check_draft("  ", "en", "q", INSTRUCTIONS, RETURNS) == "empty"


CONTEXT = "[1] Refunds: gift card refunds are immediate; other refunds take 5-7 business days after we receive the return."


def test_invented_numbers_are_rejected():
    draft = "A refund typically takes around 6 hours to process [1]."
    assert unsupported_numbers(draft, CONTEXT) == ["6"]
    assert check_draft(draft, "en", "How long does a refund take?", INSTRUCTIONS, CONTEXT) == "unsupported_number"
    grounded = "Refunds to other payment methods take 5-7 business days after we receive the return [1]."
    assert check_draft(grounded, "en", "How long does a refund take?", INSTRUCTIONS, CONTEXT) is None


def test_drafts_unrelated_to_the_context_are_rejected():
    draft = "When something goes wrong during your service there may be consequences for international products."
    assert support_ratio(draft, CONTEXT) < 0.5
    assert check_draft(draft, "en", "What is the refund policy?", INSTRUCTIONS, CONTEXT) == "unsupported"
