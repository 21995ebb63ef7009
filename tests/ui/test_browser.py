"""The embeddable widget and the Gradio chat in a real browser: Debian's headless Chromium, driven
by playwright, against the real app served by uvicorn on a free port.

The app is the one `kefu serve` builds (Gradio mounted at /ui/), over the demo knowledge base, plus
one test-only route, /shop, that plays a shop's page with the widget's snippet pasted in (same
origin: the API sends no CORS headers). Set KEFU_UPDATE_SCREENSHOTS=1 to write the screenshots to
docs/screenshots/ (otherwise they go to pytest's temporary directory).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest

from tests.conftest import REPO, free_port, make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECRET = "browser-test-secret-of-32-bytes-or-more"
OPERATOR_KEY = "kefu_op_browser_test"
ANSWER_TIMEOUT_MS = 30_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
)

# A shop page with aggressive global styles: the widget must look the same inside it.
SHOP_PAGE = """<!doctype html>
<html lang="{page_lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kefu Demo Shop</title>
<style>
  body {{ margin: 0; font-family: Georgia, serif; color: #5a3e1b; background: #fdf6ec; }}
  button {{ background: hotpink !important; font-size: 28px !important; border-radius: 0 !important; }}
  div {{ padding: 3px; letter-spacing: 2px; }}
  header.shop {{ padding: 18px 32px; background: #3b2a14; color: #fdf6ec; font-size: 22px; }}
  main {{ padding: 24px 32px; display: grid; grid-template-columns: repeat(3, 220px); gap: 20px; }}
  .product {{ background: #fff; border: 1px solid #e5d5bd; padding: 16px; height: 150px; }}
  .product b {{ display: block; margin-bottom: 8px; }}
</style>
</head>
<body>
<header class="shop">Kefu Demo Shop · 客服演示商城</header>
<main>
  <div class="product"><b>Trail water bottle</b>$24.00 · Free returns within 30 days</div>
  <div class="product"><b>Linen shirt</b>$39.00 · Sizes S–XL</div>
  <div class="product"><b>Oak side table</b>$149.00 · Delivered in 5–7 days</div>
</main>
<script src="{api}/widget.js"{attributes} async></script>
</body>
</html>
"""


class CannedChat:
    """``respond`` for the buyer's Gradio chat: a cancellation waiting for a yes, with its policy
    cited; then, on "yes", the change done. Records what it was sent."""

    PASSAGE = "A pending order can be cancelled before it ships; the refund goes back to the original payment method."

    def __init__(self) -> None:
        self.sent: list[tuple[str, str | None]] = []

    def respond(self, text: str, session_id: str | None = None):
        from bot.reply import Citation, Reply

        self.sent.append((text, session_id))
        if text == "yes":
            return Reply(session_id="s-canned", answer="Done: order #W1 is cancelled.", outcome="done", language="en")
        return Reply(session_id="s-canned", answer='Please confirm: cancel order #W1. Reply "yes" to go ahead, or "no" to stop.',
                     outcome="proposed", intent="cancel", language="en",
                     pending_confirmation={"name": "cancel_pending_order", "arguments": {"order_id": "#W1"}, "prompt": "cancel order #W1"},
                     citations=[Citation(source="en/cancellation.md", chunk_id="c-1", section="Cancelling an order", text=self.PASSAGE)])  # fmt: skip


CANNED = CannedChat()


@pytest.fixture(scope="module")
def base_url(knowledge_home):
    """The real app (API, /widget.js, Gradio at /ui/) plus the test's /shop page, on a free port."""
    import uvicorn
    from fastapi.responses import HTMLResponse

    import gradio as gr

    from serving.api import create_app
    from serving.runtime import build_runtime
    from ui.chat import build_chat_ui

    settings = make_settings(
        knowledge_home,
        secret_key=SECRET,
        operator_key_hashes=[hashlib.sha256(OPERATOR_KEY.encode()).hexdigest()],
        rate_limit_per_minute=1000,
    )
    runtime = build_runtime(settings)
    app = create_app(runtime, mount_ui=True)

    @app.get("/shop", include_in_schema=False)
    def shop(lang: str = "", token: str = "", title: str = "", api: str = "") -> HTMLResponse:
        attributes = "".join(
            f' data-{name}="{html.escape(value)}"' for name, value in (("token", token), ("lang", lang), ("title", title)) if value
        )
        return HTMLResponse(SHOP_PAGE.format(page_lang=lang or "en", attributes=attributes, api=html.escape(api)))

    # The buyer's Gradio chat over canned replies (a change waiting for a yes, a cited source): no order tools needed.
    app = gr.mount_gradio_app(app, build_chat_ui(CANNED.respond), path="/canned-chat")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)
    runtime.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser, base_url):
    """A fresh page (own cookies and sessionStorage) that records every request leaving 127.0.0.1."""
    contexts = []

    def make(locale: str = "en-US"):
        context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 760})
        context.set_default_timeout(ANSWER_TIMEOUT_MS)
        outside: list[str] = []

        def gate(route):
            host = urlparse(route.request.url).hostname
            if host in ("127.0.0.1", "localhost"):
                route.continue_()
            else:  # nothing may leave the machine; the widget must need nothing from elsewhere
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", gate)
        contexts.append(context)
        page = context.new_page()
        page.outside_requests = outside
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot_path(name: str, tmp_path: Path) -> Path:
    if os.environ.get("KEFU_UPDATE_SCREENSHOTS"):
        folder = REPO / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name
    return tmp_path / name


# Records, from the DOM itself, every text the bot bubbles showed: each textContent write adds a
# new Text node, and its mutation record keeps that node with the text it had then.
WATCH_BOT_TEXT = """() => {
  const log = document.querySelector('kefu-widget').shadowRoot.querySelector('.log');
  window.__seen = [];
  new MutationObserver(records => {
    for (const r of records) {
      if (!(r.target.classList && r.target.classList.contains('text') && r.target.closest('.msg.bot'))) continue;
      for (const n of r.addedNodes) if (n.nodeType === Node.TEXT_NODE) window.__seen.push(n.data);
    }
  }).observe(log, {childList: true, subtree: true});
}"""


def open_widget(page, label: str):
    from playwright.sync_api import expect

    bubble = page.get_by_role("button", name=label)
    expect(bubble).to_be_visible()
    bubble.click()
    expect(bubble).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog")).to_be_visible()
    return bubble


def ask(page, textbox_name: str, question: str):
    """Type a question, press Enter, wait for the answer's done state; the bot's last bubble."""
    from playwright.sync_api import expect

    textbox = page.get_by_role("textbox", name=textbox_name)
    expect(textbox).to_be_focused()
    textbox.fill(question)
    textbox.press("Enter")
    expect(textbox).to_have_value("")
    answer = page.locator(".msg.bot").last
    expect(answer).to_have_attribute("data-state", "done", timeout=ANSWER_TIMEOUT_MS)
    return answer


def test_widget_streams_a_cited_answer_and_keeps_the_session(page_for, base_url, tmp_path):
    from playwright.sync_api import expect

    page = page_for()
    page.goto(f"{base_url}/shop?" + urlencode({"title": "Kefu Demo Shop"}))
    bubble = open_widget(page, "Chat with customer service")
    # Shadow DOM: the shop's `button {background: hotpink !important; font-size: 28px !important}`
    # and its Georgia font do not reach the widget.
    page.mouse.move(0, 0)
    assert bubble.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(26, 115, 232)"
    send = page.get_by_role("button", name="Send")
    assert send.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e).fontFamily.includes('Georgia')]") == ["14px", False]
    expect(page.get_by_role("dialog", name="Kefu Demo Shop")).to_be_visible()

    page.evaluate(WATCH_BOT_TEXT)
    with page.expect_request(re.compile(r"/v1/chat/stream$")) as sent:
        answer = ask(page, "Your message", "What is the return policy?")
    assert sent.value.post_data_json == {"message": "What is the return policy?", "session_id": None}
    assert "authorization" not in sent.value.headers  # no data-token: anonymous

    final = answer.locator(".text").inner_text()
    assert "return" in final.lower()
    # The bubble grew token by token: at least two partial answers were on screen before done.
    seen = page.evaluate("window.__seen")
    partial = [text for text in seen if text and text != final and final.startswith(text)]
    assert len(set(partial)) >= 2 and sorted(partial, key=len) == partial, seen[:5]
    # The widget's own log agrees: token events (with a growing answer) came before done.
    events = page.evaluate("window.kefuWidget.events.map(e => [e.type, e.len])")
    types = [t for t, _ in events]
    assert types[-1] == "done" and types.count("token") >= 2 and types.index("token") < types.index("done")
    token_lengths = [n for t, n in events if t == "token"]
    assert token_lengths == sorted(token_lengths) and token_lengths[0] < token_lengths[-1]
    # Citations: "source › section" under the answer, and the degraded-mode note (provider none).
    citations = answer.locator(".cites li")
    expect(citations.first).to_be_visible()
    assert all(re.fullmatch(r"\S+\.md › .+", c) for c in citations.all_inner_texts()), citations.all_inner_texts()
    expect(answer.locator(".note.degraded")).to_be_visible()
    page.screenshot(path=str(screenshot_path("widget.png", tmp_path)))

    # A reload continues the conversation: the transcript is back and the next turn sends the session id.
    session_id = page.evaluate("window.kefuWidget.sessionId()")
    assert session_id and re.fullmatch(r"[0-9a-f]{32}", session_id)
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # it was open before the reload
    expect(page.locator(".msg.user .text")).to_have_text(["What is the return policy?"])
    with page.expect_request(re.compile(r"/v1/chat/stream$")) as sent:
        page.get_by_role("textbox", name="Your message").fill("How long does a refund take?")
        page.get_by_role("button", name="Send").click()
    assert sent.value.post_data_json == {"message": "How long does a refund take?", "session_id": session_id}
    expect(page.locator(".msg.bot").last).to_have_attribute("data-state", "done")
    assert page.evaluate("window.kefuWidget.sessionId()") == session_id

    # Escape closes the panel and gives the focus back to the bubble.
    page.get_by_role("textbox", name="Your message").press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(bubble).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("button", name="Chat with customer service")).to_be_focused()
    assert page.outside_requests == []


def test_widget_in_chinese(page_for, base_url, tmp_path):
    from playwright.sync_api import expect

    page = page_for(locale="en-US")  # data-lang wins over the browser's language
    page.goto(f"{base_url}/shop?lang=zh")
    open_widget(page, "联系在线客服")
    expect(page.get_by_role("dialog", name="在线客服")).to_be_visible()
    expect(page.get_by_role("textbox", name="您的消息")).to_have_attribute("placeholder", re.compile("请输入"))
    expect(page.get_by_role("button", name="发送")).to_be_visible()
    answer = ask(page, "您的消息", "退货政策是什么？")
    assert "退货" in answer.locator(".text").inner_text()
    expect(answer.locator(".cites")).to_contain_text("来源")
    expect(answer.locator(".cites li").first).to_contain_text("zh/returns-refunds.md › 退货与退款 › ")
    expect(answer.locator(".note.degraded")).to_contain_text("政策原文")
    page.screenshot(path=str(screenshot_path("widget-zh.png", tmp_path)))
    assert page.outside_requests == []


def test_signed_in_buyer_gets_a_handoff_and_the_agents_reply(page_for, base_url):
    import httpx
    from playwright.sync_api import expect

    from serving.identity import create_token

    token = create_token(SECRET, "buyer", "user_browser_test", 600)
    page = page_for(locale="zh-CN")  # no data-lang: navigator.language decides
    page.goto(f"{base_url}/shop?" + urlencode({"token": token}))
    bubble = open_widget(page, "联系在线客服")
    with page.expect_request(re.compile(r"/v1/chat/stream$")) as sent:
        answer = ask(page, "您的消息", "How long does standard shipping take?")
    assert sent.value.headers["authorization"] == f"Bearer {token}"
    expect(answer.locator(".cites li").first).to_be_visible()

    answer = ask(page, "您的消息", "I want to talk to a human")
    expect(answer.locator(".note.handoff")).to_have_text(re.compile("人工客服"))
    # The operator answers through the API; the widget shows it (it polls, and on reopening).
    session_id = page.evaluate("window.kefuWidget.sessionId()")
    response = httpx.post(f"{base_url}/v1/handoffs/{session_id}/reply", json={"message": "Hi, this is Mei from the shop."},
                          headers={"Authorization": f"Bearer {OPERATOR_KEY}"})  # fmt: skip
    assert response.status_code == 200, response.text
    page.keyboard.press("Escape")
    bubble.click()
    expect(page.locator(".msg.agent .text")).to_have_text(["Hi, this is Mei from the shop."])
    expect(page.locator(".msg.agent .who")).to_have_text(["人工客服"])


def test_anonymous_visitor_sees_the_agents_reply_after_a_handoff(page_for, base_url):
    import httpx
    from playwright.sync_api import expect

    page = page_for()
    page.goto(f"{base_url}/shop")
    open_widget(page, "Chat with customer service")
    with page.expect_response(re.compile(r"/v1/chat/stream$")) as streamed:
        answer = ask(page, "Your message", "I want to talk to a human")
    assert "authorization" not in streamed.value.request.headers
    assert streamed.value.headers["x-kefu-session-key"]  # the key to read this conversation back
    expect(answer.locator(".note.handoff")).to_be_visible()
    session_id = page.evaluate("window.kefuWidget.sessionId()")
    with page.expect_request(re.compile(r"/v1/sessions/"), timeout=ANSWER_TIMEOUT_MS) as polled:
        response = httpx.post(f"{base_url}/v1/handoffs/{session_id}/reply", json={"message": "Hi, this is Mei from the shop."},
                              headers={"Authorization": f"Bearer {OPERATOR_KEY}"})  # fmt: skip
        assert response.status_code == 200 and response.json()["delivered_to"] is None
    assert polled.value.headers["x-kefu-session-key"] == streamed.value.headers["x-kefu-session-key"]
    expect(page.locator(".msg.agent .text")).to_have_text(["Hi, this is Mei from the shop."], timeout=ANSWER_TIMEOUT_MS)


def test_widget_shows_the_api_error_message(page_for, base_url):
    from playwright.sync_api import expect

    page = page_for()
    page.goto(f"{base_url}/shop?" + urlencode({"token": "not-a-token", "lang": "en"}))
    open_widget(page, "Chat with customer service")
    textbox = page.get_by_role("textbox", name="Your message")
    textbox.fill("Where is my order?")
    textbox.press("Enter")
    error = page.get_by_role("alert")
    expect(error).to_have_text(re.compile("malformed token"))  # the 401 body's error.message
    expect(page.get_by_role("button", name="Send")).to_be_enabled()


def test_widget_on_a_site_outside_the_allowed_origins_names_cors(page_for, base_url):
    """The shop page on another origin (localhost, not 127.0.0.1) than the API, which lists no
    origins in KEFU_WIDGET_ORIGINS: the browser blocks the call without saying why; the widget does."""
    from playwright.sync_api import expect

    page = page_for()
    port = urlparse(base_url).port
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"http://localhost:{port}/shop?" + urlencode({"api": base_url, "lang": "en"}))
    open_widget(page, "Chat with customer service")
    textbox = page.get_by_role("textbox", name="Your message")
    textbox.fill("What is the return policy?")
    textbox.press("Enter")
    error = page.get_by_role("alert")
    expect(error).to_have_text(re.compile(rf"refused calls from this site \(http://localhost:{port}\).*KEFU_WIDGET_ORIGINS.*CORS"))
    assert any("KEFU_WIDGET_ORIGINS" in line and f"http://localhost:{port}" in line for line in console), console


def test_a_conversation_bound_to_another_buyer_starts_afresh(page_for, base_url):
    """Another buyer signs in in the same tab: the stored conversation is not theirs (the API
    answers 404), so the widget says so and the next message opens a new one."""
    from playwright.sync_api import expect

    from serving.identity import create_token

    page = page_for()
    first, second = (create_token(SECRET, "buyer", who, 600) for who in ("user_browser_a", "user_browser_b"))
    page.goto(f"{base_url}/shop?" + urlencode({"token": first, "lang": "en"}))
    open_widget(page, "Chat with customer service")
    ask(page, "Your message", "How long does standard shipping take?")
    first_session = page.evaluate("window.kefuWidget.sessionId()")

    page.goto(f"{base_url}/shop?" + urlencode({"token": second, "lang": "en"}))
    textbox = page.get_by_role("textbox", name="Your message")
    with page.expect_response(re.compile(r"/v1/chat/stream$")) as refused:
        textbox.fill("And returns?")
        textbox.press("Enter")
    assert refused.value.status == 404 and refused.value.request.post_data_json["session_id"] == first_session
    expect(page.get_by_role("alert")).to_have_text(re.compile("can't be continued here"))
    assert page.evaluate("window.kefuWidget.sessionId()") is None

    with page.expect_request(re.compile(r"/v1/chat/stream$")) as sent:
        answer = ask(page, "Your message", "How long does a refund take?")
    assert sent.value.post_data_json["session_id"] is None
    expect(answer.locator(".cites li").first).to_be_visible()
    assert page.evaluate("window.kefuWidget.sessionId()") not in (None, first_session)


def test_gradio_chat_round_trip(page_for, base_url, tmp_path):
    from playwright.sync_api import expect

    page = page_for()
    page.goto(f"{base_url}/ui/")
    textbox = page.get_by_role("textbox", name="Message / 消息")
    expect(textbox).to_be_visible()
    textbox.fill("What is the return policy?")
    textbox.press("Enter")
    expect(page.get_by_text(re.compile(r"^\[1\] .*returns")).first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)  # the first source, closed
    expect(page.get_by_text("What is the return policy?").first).to_be_visible()
    assert '"intent"' not in page.content()  # no trace for buyers
    page.screenshot(path=str(screenshot_path("gradio-chat.png", tmp_path)), full_page=True)


def test_gradio_chat_shows_no_json_opens_sources_and_confirms_with_a_button(page_for, base_url, tmp_path):
    """Issue 26: the buyer's chat shows the conversation, not the turn's JSON; a cited source is a
    closed box that opens to the passage; a change waiting for a yes has Yes/No buttons."""
    from playwright.sync_api import expect

    CANNED.sent.clear()
    page = page_for()
    page.goto(f"{base_url}/canned-chat/")
    textbox = page.get_by_role("textbox", name="Message / 消息")
    textbox.fill("Cancel order #W1")
    textbox.press("Enter")
    expect(page.get_by_text("Please confirm: cancel order #W1.").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    source = page.get_by_text("[1] en/cancellation.md › Cancelling an order").first
    expect(source).to_be_visible()
    expect(page.get_by_text(CannedChat.PASSAGE)).to_be_hidden()  # closed until the buyer opens it
    source.click()
    expect(page.get_by_text(CannedChat.PASSAGE)).to_be_visible()
    for trace_word in ('"intent"', '"session_id"', "pending_confirmation", '"tool_calls"'):
        assert trace_word not in page.content(), trace_word
    page.screenshot(path=str(screenshot_path("gradio-chat-confirm.png", tmp_path)), full_page=True)
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.get_by_text("Done: order #W1 is cancelled.").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    assert CANNED.sent == [("Cancel order #W1", None), ("yes", "s-canned")]
    expect(page.get_by_role("button", name="Yes", exact=True)).to_have_count(0)  # the offer is spent


def test_widget_offers_to_confirm_a_pending_change(page_for, base_url):
    """A reply waiting for the buyer's yes (canned here: the demo index has no order tools set up)."""
    import json

    from playwright.sync_api import expect

    sent: list[dict] = []
    reply = {"session_id": "s-confirm-1", "answer": 'Please confirm: cancel order #W1. Reply "yes" to go ahead, or "no" to stop.',
             "citations": [], "handoff": None, "degraded": False, "intent": "cancel",
             "pending_confirmation": {"name": "cancel_pending_order", "arguments": {"order_id": "#W1"}, "prompt": "cancel order #W1"}}  # fmt: skip
    events = [{"type": "status", "stage": "received"}, {"type": "tool", "name": "get_order_details", "ok": True},
              {"type": "token", "text": "Please confirm: "}, {"type": "token", "text": reply["answer"][len("Please confirm: "):]},
              {"type": "done", "reply": reply}]  # fmt: skip
    body = "".join(f"event: {e['type']}\r\ndata: {json.dumps(e)}\r\n\r\n" for e in events)  # CRLF line ends parse too

    def canned(route):
        sent.append(route.request.post_data_json)
        route.fulfill(status=200, headers={"content-type": "text/event-stream"}, body=body)

    page = page_for()
    page.route(re.compile(r"/v1/chat/stream$"), canned)
    page.goto(f"{base_url}/shop?lang=en")
    open_widget(page, "Chat with customer service")
    answer = ask(page, "Your message", "Cancel order #W1")
    expect(answer.locator(".text")).to_have_text(reply["answer"])
    expect(answer.locator(".note.pending")).to_contain_text("confirmation")
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.locator(".msg.bot[data-state=done]")).to_have_count(2)
    assert sent == [{"message": "Cancel order #W1", "session_id": None}, {"message": "yes", "session_id": "s-confirm-1"}]
    expect(page.get_by_role("button", name="Yes", exact=True)).to_have_count(1)  # the first offer is gone


def test_widget_offers_the_reasons_as_buttons(page_for, base_url):
    """The policy's cancellation reasons, offered as choices (canned reply): a click sends the choice."""
    import json

    from playwright.sync_api import expect

    sent: list[dict] = []
    reply = {"session_id": "s-choice-1", "answer": "I can cancel order #W1. Which reason should I record?\n1. no longer needed\n2. ordered by mistake",
             "citations": [], "handoff": None, "degraded": False, "intent": "cancel", "outcome": "asked", "pending_confirmation": None,
             "choices": ["no longer needed", "ordered by mistake"]}  # fmt: skip
    body = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in [{"type": "status", "stage": "received"}, {"type": "done", "reply": reply}])

    def canned(route):
        sent.append(route.request.post_data_json)
        route.fulfill(status=200, headers={"content-type": "text/event-stream"}, body=body)

    page = page_for()
    page.route(re.compile(r"/v1/chat/stream$"), canned)
    page.goto(f"{base_url}/shop?lang=en")
    open_widget(page, "Chat with customer service")
    ask(page, "Your message", "Cancel order #W1, I found it cheaper")
    page.get_by_role("button", name="ordered by mistake", exact=True).click()
    expect(page.locator(".msg.bot[data-state=done]")).to_have_count(2)
    assert sent[1] == {"message": "ordered by mistake", "session_id": "s-choice-1"}


def test_operator_console_logs_in_traces_a_turn_and_probes_retrieval(page_for, base_url, tmp_path):
    from playwright.sync_api import expect

    page = page_for()
    page.goto(f"{base_url}/console/")
    page.get_by_label("username").fill("operator")
    page.get_by_label("password").fill("not-the-key")
    page.get_by_role("button", name="Login").click()
    expect(page.get_by_text("Incorrect Credentials").first).to_be_visible()
    page.goto(f"{base_url}/console/")
    page.get_by_label("username").fill("operator")
    page.get_by_label("password").fill(OPERATOR_KEY)
    page.get_by_role("button", name="Login").click()

    # Test chat: the trace says what the bot did.
    message = page.get_by_role("textbox", name="Message / 消息")
    expect(message).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    message.fill("What is the return policy?")
    message.press("Enter")
    expect(page.get_by_text(re.compile(r"^\[1\] .*returns")).first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_text("intent", exact=True).first).to_be_visible()  # the summary, at a glance
    page.get_by_text("Trace (JSON) / 完整记录").click()  # the JSON, one click away
    expect(page.get_by_text('"intent"').first).to_be_visible()
    expect(page.get_by_text('"retrieved"').first).to_be_visible()

    # Retrieval: the hits and their evidence; an off-topic question finds nothing behind the gate.
    page.get_by_role("tab", name="Retrieval / 检索测试").click()
    probe = page.get_by_role("textbox", name="Question / 问题")
    probe.fill("How long does a refund take?")
    probe.press("Enter")
    # Scoped to the open tab: the chat tab, hidden now, may cite the same file.
    panel = page.get_by_role("tabpanel")
    expect(panel.get_by_text("coverage").first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(panel.get_by_text("en/returns-refunds.md").first).to_be_visible()

    # Evaluate an uploaded QA file, as `kefu eval retrieval` does.
    qa = tmp_path / "qa.json"
    qa.write_text('[{"q": "How long does a refund take?", "source": "en/returns-refunds.md", "phrase": "refund"}]', "utf-8")
    page.locator("input[type=file]").set_input_files(str(qa))
    expect(page.get_by_text("qa.json").first).to_be_visible()
    page.get_by_role("button", name="Evaluate / 评测").click()
    expect(page.get_by_text('"recall@5"').first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_text('"misses"').first).to_be_visible()
    page.screenshot(path=str(screenshot_path("console-retrieval.png", tmp_path)), full_page=True)
