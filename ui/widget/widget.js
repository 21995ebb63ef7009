/*!
 * kefu chat widget: plain JavaScript, no dependencies, no build step, no external resources.
 *
 *   <script src="https://HOST/widget.js" data-token="IDENTITY_TOKEN" data-lang="zh|en"
 *           data-title="Customer service" async></script>
 *
 * All attributes are optional. The API base is derived from this script's own URL, so
 * https://HOST/widget.js talks to https://HOST/v1/chat/stream (and https://HOST/kefu/widget.js to
 * https://HOST/kefu/v1/chat/stream). See docs/widget.md.
 *
 * Page-level API: window.kefuWidget.open() / close() / toggle() / send(text) / reset() /
 * setToken(token); window.kefuWidget.events is a short log of the stream events the widget
 * handled ({type, len, at}: len is the answer's length after the event), kept for tests and
 * debugging; a "kefu:event" CustomEvent is dispatched on window for each one as well.
 */
(function () {
  "use strict";

  if (window.kefuWidget && window.kefuWidget.version) return; // the snippet was pasted twice

  // ------------------------------------------------------------------ configuration

  var script = document.currentScript;
  if (!script) {
    var candidates = document.getElementsByTagName("script");
    for (var i = candidates.length - 1; i >= 0; i--) {
      if (/widget\.js(?:[?#]|$)/.test(candidates[i].src)) { script = candidates[i]; break; }
    }
  }
  if (!script || !script.src) {
    if (window.console) console.warn("kefu widget: cannot find its own <script src> tag; not starting");
    return;
  }

  var scriptUrl = new URL(script.src, document.baseURI);
  var STREAM_URL = new URL("v1/chat/stream", scriptUrl).href;
  var SESSIONS_URL = new URL("v1/sessions/", scriptUrl).href;
  var STORE_KEY = "kefu-widget:" + new URL(".", scriptUrl).href;
  var SESSION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
  var SESSION_KEY = /^[A-Za-z0-9_-]{1,64}$/;
  var SESSION_KEY_HEADER = "X-Kefu-Session-Key";
  var MAX_STORED_MESSAGES = 60;
  var POLL_MS = 5000;

  var token = (script.getAttribute("data-token") || "").trim();
  var langAttr = (script.getAttribute("data-lang") || "").trim().toLowerCase();
  var browserLang = (navigator.language || (navigator.languages && navigator.languages[0]) || "").toLowerCase();
  var lang = /^zh/.test(langAttr) ? "zh" : /^en/.test(langAttr) ? "en" : /^zh/.test(browserLang) ? "zh" : "en";

  var STRINGS = {
    en: {
      title: "Customer service",
      open: "Chat with customer service",
      close: "Close chat",
      newChat: "New conversation",
      log: "Conversation",
      input: "Your message",
      placeholder: "Ask about orders, shipping, returns…",
      send: "Send",
      greeting: "Hi! Ask me about your orders, shipping, returns and refunds.",
      you: "You",
      bot: "Assistant",
      agent: "Agent",
      received: "Thinking…",
      retrieving: "Looking it up…",
      generating: "Writing an answer…",
      tool: "Checking your order…",
      sources: "Sources",
      handoff: "You have been passed to a human agent, who will reply here.",
      pending: "This change needs your confirmation: choose Yes to go ahead or No to stop (or reply “yes” / “no”).",
      yes: "Yes",
      no: "No",
      yesText: "yes",
      noText: "no",
      degraded: "Quoted from our policies: the assistant model is not available right now.",
      degradedDraft: "Quoted from our policies: the assistant model's answer could not be used.",
      error: "Something went wrong. Please try again.",
      network: "Could not reach customer service. Please check your connection and try again.",
      cors: "Customer service refused calls from this site ({origin}): the server's KEFU_WIDGET_ORIGINS does not list it (CORS).",
      interrupted: "The answer was interrupted. Please try again.",
      expired: "This conversation can't be continued here (you may have signed in as someone else). Your next message starts a new one."
    },
    zh: {
      title: "在线客服",
      open: "联系在线客服",
      close: "关闭对话",
      newChat: "新对话",
      log: "对话记录",
      input: "您的消息",
      placeholder: "请输入您的问题…",
      send: "发送",
      greeting: "您好！可以问我订单、配送、退换货和退款相关的问题。",
      you: "您",
      bot: "客服助手",
      agent: "人工客服",
      received: "正在思考…",
      retrieving: "正在查找资料…",
      generating: "正在撰写回答…",
      tool: "正在查询订单…",
      sources: "来源",
      handoff: "已为您转接人工客服，客服会在此回复您。",
      pending: "此操作需要您确认：点击“确认”继续，点击“取消”放弃（也可回复“是”或“不”）。",
      yes: "确认",
      no: "取消",
      yesText: "确认",
      noText: "不要",
      degraded: "以上内容引自政策原文（模型暂不可用）。",
      degradedDraft: "以上内容引自政策原文（模型的回答未通过检查）。",
      error: "出错了，请稍后再试。",
      network: "无法连接客服，请检查网络后重试。",
      cors: "客服服务器拒绝了本站（{origin}）的请求：服务器的 KEFU_WIDGET_ORIGINS 未包含该站点（CORS）。",
      interrupted: "回答中断了，请重试。",
      expired: "此会话无法在这里继续（可能已切换登录账号）。您的下一条消息将开始新的会话。"
    }
  };
  var T = STRINGS[lang];
  var title = (script.getAttribute("data-title") || "").trim() || T.title;

  // ------------------------------------------------------------------ state (sessionStorage)

  function loadState() {
    var empty = { sessionId: null, sessionKey: null, messages: [], open: false, handoff: false, seenOperatorTurns: [] };
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
      if (!saved || typeof saved !== "object") return empty;
      return {
        sessionId: typeof saved.sessionId === "string" && SESSION_ID.test(saved.sessionId) ? saved.sessionId : null,
        sessionKey: typeof saved.sessionKey === "string" && SESSION_KEY.test(saved.sessionKey) ? saved.sessionKey : null,
        messages: Array.isArray(saved.messages) ? saved.messages.slice(-MAX_STORED_MESSAGES) : [],
        open: !!saved.open,
        handoff: !!saved.handoff,
        seenOperatorTurns: Array.isArray(saved.seenOperatorTurns) ? saved.seenOperatorTurns.slice(-200) : []
      };
    } catch (e) {
      return empty; // storage disabled (private mode, sandboxed iframe) or corrupt: start afresh
    }
  }

  var state = loadState();

  function saveState() {
    try {
      state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
      window.sessionStorage.setItem(STORE_KEY, JSON.stringify(state));
    } catch (e) { /* storage unavailable: the conversation lasts as long as the page */ }
  }

  // ------------------------------------------------------------------ debug hook

  var debugEvents = [];

  function record(type, len) {
    var entry = { type: type, len: len, at: Math.round(performance.now()) };
    debugEvents.push(entry);
    if (debugEvents.length > 500) debugEvents.splice(0, debugEvents.length - 500);
    try { window.dispatchEvent(new CustomEvent("kefu:event", { detail: entry })); } catch (e) { /* old browsers */ }
  }

  // ------------------------------------------------------------------ DOM (inside a shadow root)

  var CSS = [
    ":host{all:initial}",
    "*,*::before,*::after{box-sizing:border-box}",
    ".root{position:fixed;right:20px;bottom:20px;z-index:2147483000;font:14px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2328;text-align:left;direction:ltr}",
    "button{font:inherit;cursor:pointer}",
    ".bubble{width:56px;height:56px;border-radius:50%;border:0;background:#1a73e8;color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;margin-left:auto}",
    ".bubble:hover{background:#1662c4}",
    ".bubble:focus-visible,.icon:focus-visible,.send:focus-visible,.quick button:focus-visible{outline:3px solid #fbbc04;outline-offset:2px}",
    ".bubble svg{width:28px;height:28px;fill:currentColor}",
    ".panel{position:absolute;right:0;bottom:72px;width:370px;max-width:calc(100vw - 40px);height:560px;max-height:calc(100vh - 112px);background:#fff;border-radius:14px;box-shadow:0 10px 40px rgba(0,0,0,.25);display:flex;flex-direction:column;overflow:hidden}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;gap:4px;padding:12px 10px 12px 16px;background:#1a73e8;color:#fff}",
    "h2{flex:1;margin:0;font-size:16px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    ".icon{background:transparent;border:0;color:#fff;width:32px;height:32px;border-radius:6px;display:flex;align-items:center;justify-content:center}",
    ".icon:hover{background:rgba(255,255,255,.18)}",
    ".icon svg{width:18px;height:18px;fill:currentColor}",
    ".log{flex:1;overflow-y:auto;padding:14px;background:#f6f8fa;display:flex;flex-direction:column;gap:10px}",
    ".msg{max-width:88%;padding:9px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere}",
    ".msg.user{align-self:flex-end;background:#1a73e8;color:#fff;border-bottom-right-radius:4px}",
    ".msg.bot,.msg.agent{align-self:flex-start;background:#fff;border:1px solid #d8dee4;border-bottom-left-radius:4px}",
    ".msg.agent{border-color:#34a853}",
    ".who{display:block;font-size:11px;font-weight:600;color:#57606a;margin-bottom:2px}",
    ".msg.user .who{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
    ".status{color:#57606a;font-style:italic}",
    ".status::after{content:'';display:inline-block;width:1em;text-align:left;animation:dots 1.2s steps(4,end) infinite}",
    "@keyframes dots{0%{content:''}25%{content:'.'}50%{content:'..'}75%{content:'...'}}",
    ".cites{margin:8px 0 0;padding:6px 0 0;border-top:1px solid #eaeef2;font-size:12px;color:#57606a;white-space:normal}",
    ".cites-title{font-weight:600}",
    ".cites ul{margin:2px 0 0;padding:0;list-style:none;counter-reset:cite}",
    ".cites li{margin:2px 0;counter-increment:cite}",
    ".cites li::before{content:'[' counter(cite) '] ';color:#8c959f}",
    ".note{margin-top:8px;padding:6px 8px;border-radius:6px;font-size:12px;white-space:normal}",
    ".note.handoff{background:#e6f4ea;color:#0d652d}",
    ".note.pending{background:#fef7e0;color:#7a4f01}",
    ".note.degraded,.note.degradedDraft{background:#f1f3f4;color:#57606a}",
    ".msg.error{align-self:stretch;max-width:100%;background:#fce8e6;color:#a50e0e;border:1px solid #f5c2bd}",
    ".quick{display:flex;gap:6px;margin-top:6px}",
    ".quick button{border:1px solid #1a73e8;background:#fff;color:#1a73e8;border-radius:14px;padding:2px 14px}",
    ".quick button:hover{background:#e8f0fe}",
    "form{display:flex;gap:8px;align-items:flex-end;padding:10px;border-top:1px solid #d8dee4;background:#fff;margin:0}",
    "textarea{flex:1;resize:none;border:1px solid #d0d7de;border-radius:8px;padding:8px 10px;font:inherit;color:inherit;background:#fff;min-height:38px;max-height:120px;line-height:1.4}",
    "textarea:focus{outline:2px solid #1a73e8;outline-offset:-1px;border-color:#1a73e8}",
    ".send{border:0;background:#1a73e8;color:#fff;border-radius:8px;height:38px;padding:0 14px;font-weight:600}",
    ".send:disabled{background:#8ab4f8;cursor:default}",
    "@media (max-width:480px){.root{right:12px;bottom:12px}.panel{position:fixed;inset:0;width:auto;max-width:none;height:auto;max-height:none;border-radius:0}.root.open .bubble{display:none}}",
    "@media (prefers-reduced-motion:reduce){.status::after{animation:none;content:'…'}}"
  ].join("\n");

  var ICON_CHAT = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8.8L4 21.6V18a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';
  var ICON_CLOSE = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M18.3 5.7a1 1 0 0 0-1.4 0L12 10.6 7.1 5.7a1 1 0 1 0-1.4 1.4l4.9 4.9-4.9 4.9a1 1 0 1 0 1.4 1.4l4.9-4.9 4.9 4.9a1 1 0 0 0 1.4-1.4L13.4 12l4.9-4.9a1 1 0 0 0 0-1.4z"/></svg>';
  var ICON_NEW = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M12 4a8 8 0 1 0 7.7 10.1 1 1 0 1 0-1.9-.5A6 6 0 1 1 16.2 7.8L14 10h6V4l-2.4 2.4A8 8 0 0 0 12 4z"/></svg>';

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var key in attrs) if (Object.prototype.hasOwnProperty.call(attrs, key)) node.setAttribute(key, attrs[key]);
    if (text != null) node.textContent = text;
    return node;
  }

  var host = el("kefu-widget", { "data-kefu-widget": "" });
  var root = host.attachShadow({ mode: "open" });
  var style = el("style");
  style.textContent = CSS;
  root.appendChild(style);

  var container = el("div", { "class": "root", lang: lang === "zh" ? "zh-CN" : "en" });
  var panel = el("section", { "class": "panel", id: "kefu-panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "kefu-title", hidden: "" });
  var header = el("header");
  var heading = el("h2", { id: "kefu-title" }, title);
  var newButton = el("button", { type: "button", "class": "icon new", "aria-label": T.newChat, title: T.newChat });
  newButton.innerHTML = ICON_NEW;
  var closeButton = el("button", { type: "button", "class": "icon close", "aria-label": T.close, title: T.close });
  closeButton.innerHTML = ICON_CLOSE;
  header.appendChild(heading);
  header.appendChild(newButton);
  header.appendChild(closeButton);

  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
  var form = el("form", { "class": "composer", novalidate: "" });
  var input = el("textarea", { rows: "1", "aria-label": T.input, placeholder: T.placeholder, maxlength: "4000", enterkeyhint: "send" });
  var sendButton = el("button", { type: "submit", "class": "send", "aria-label": T.send }, T.send);
  form.appendChild(input);
  form.appendChild(sendButton);
  panel.appendChild(header);
  panel.appendChild(log);
  panel.appendChild(form);

  var bubble = el("button", { type: "button", "class": "bubble", "aria-label": T.open, "aria-controls": "kefu-panel", "aria-expanded": "false", title: title });
  bubble.innerHTML = ICON_CHAT;

  container.appendChild(panel);
  container.appendChild(bubble);
  root.appendChild(container);

  // ------------------------------------------------------------------ rendering

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function formatSection(section) { return String(section || "").split(/\s*>\s*/).filter(Boolean).join(" › "); }

  function citationLabel(c) {
    var section = formatSection(c.section);
    return (c.source || "") + (section ? " › " + section : "");
  }

  /** A message element; `message` is the stored form: {role, text, citations, notes, error}. */
  function renderMessage(message) {
    var role = message.role;
    var node = el("div", { "class": "msg " + (message.error ? "error" : role) });
    if (message.error) node.setAttribute("role", "alert");
    var who = el("span", { "class": "who" }, role === "user" ? T.you : role === "agent" ? T.agent : T.bot);
    var text = el("div", { "class": "text" }, message.text || "");
    node.appendChild(who);
    node.appendChild(text);
    if (message.citations && message.citations.length) renderCitations(node, message.citations);
    (message.notes || []).forEach(function (kind) { renderNote(node, kind); });
    return node;
  }

  function renderCitations(node, citations) {
    var list = node.querySelector(".cites ul");
    if (!list) {
      var box = el("div", { "class": "cites" });
      box.appendChild(el("span", { "class": "cites-title", "aria-hidden": "true" }, T.sources + (lang === "zh" ? "：" : ":")));
      list = el("ul", { "aria-label": T.sources });
      box.appendChild(list);
      var firstNote = node.querySelector(".note, .quick");
      node.insertBefore(box, firstNote);
    }
    var existing = {};
    Array.prototype.forEach.call(list.querySelectorAll("li"), function (li) { existing[li.getAttribute("data-key")] = true; });
    citations.forEach(function (c) {
      var label = citationLabel(c);
      var key = c.chunk_id || label;
      if (!label || existing[key]) return;
      existing[key] = true;
      var item = el("li", { "class": "cite", "data-key": key }, label);
      if (c.text) item.title = c.text.length > 400 ? c.text.slice(0, 400) + "…" : c.text;
      list.appendChild(item);
    });
  }

  function renderNote(node, kind) {
    if (node.querySelector(".note." + kind)) return;
    var text = { handoff: T.handoff, pending: T.pending, degraded: T.degraded, degradedDraft: T.degradedDraft }[kind];
    if (!text) return;
    var note = el("div", { "class": "note " + kind }, text);
    if (kind !== "degraded" && kind !== "degradedDraft") note.setAttribute("role", "status");
    node.appendChild(note);
  }

  /** Buttons that send a reply: yes/no for a pending change, or the choices the bot offered (a reason). */
  function renderQuickReplies(node, pairs) {
    var quick = el("div", { "class": "quick" });
    (pairs || [[T.yes, T.yesText], [T.no, T.noText]]).forEach(function (pair) {
      var button = el("button", { type: "button" }, pair[0]);
      button.addEventListener("click", function () {
        if (busy) return;
        quick.remove();
        send(pair[1]);
      });
      quick.appendChild(button);
    });
    node.appendChild(quick);
  }

  function renderAll() {
    log.textContent = "";
    log.appendChild(renderMessage({ role: "bot", text: T.greeting }));
    state.messages.forEach(function (m) { log.appendChild(renderMessage(m)); });
    scrollToEnd();
  }

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    var node = renderMessage(message);
    log.appendChild(node);
    scrollToEnd();
    return node;
  }

  // ------------------------------------------------------------------ open / close

  function isOpen() { return !panel.hidden; }

  function open() {
    if (isOpen()) { input.focus(); return; }
    panel.hidden = false;
    container.classList.add("open");
    bubble.setAttribute("aria-expanded", "true");
    bubble.innerHTML = ICON_CLOSE;
    state.open = true;
    saveState();
    scrollToEnd();
    input.focus();
    if (state.handoff && canPoll()) pollNow(); // a human agent may have answered while it was closed
  }

  function close() {
    if (!isOpen()) return;
    panel.hidden = true;
    container.classList.remove("open");
    bubble.setAttribute("aria-expanded", "false");
    bubble.innerHTML = ICON_CHAT;
    state.open = false;
    saveState();
    bubble.focus();
  }

  function toggle() { if (isOpen()) close(); else open(); }

  // ------------------------------------------------------------------ server-sent events over fetch

  function dispatchBlock(block, onEvent) {
    var type = "message";
    var data = [];
    block.split("\n").forEach(function (line) {
      if (!line || line.charAt(0) === ":") return;
      var colon = line.indexOf(":");
      var field = colon < 0 ? line : line.slice(0, colon);
      var value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.charAt(0) === " ") value = value.slice(1);
      if (field === "event") type = value;
      else if (field === "data") data.push(value);
    });
    if (!data.length) return;
    var payload;
    try { payload = JSON.parse(data.join("\n")); } catch (e) { return; }
    onEvent(type !== "message" ? type : (payload && payload.type) || type, payload || {});
  }

  /** Read an SSE body chunk by chunk, calling onEvent(type, data) for each complete event. */
  function readEventStream(response, onEvent) {
    var buffer = "";
    function feed(text, final) {
      buffer += text;
      // Normalise CRLF / CR line ends, keeping a trailing CR until we know what follows it.
      var keep = !final && buffer.charAt(buffer.length - 1) === "\r";
      if (keep) buffer = buffer.slice(0, -1);
      buffer = buffer.replace(/\r\n?/g, "\n");
      var index;
      while ((index = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        dispatchBlock(block, onEvent);
      }
      if (keep) buffer += "\r";
      if (final && buffer.trim()) { dispatchBlock(buffer, onEvent); buffer = ""; }
    }
    if (!response.body || !response.body.getReader) {
      return response.text().then(function (text) { feed(text, true); });
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder("utf-8");
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) { feed(decoder.decode(), true); return; }
        feed(decoder.decode(chunk.value, { stream: true }), false);
        return pump();
      });
    }
    return pump();
  }

  function errorMessageFrom(response) {
    return response.text().then(function (body) {
      try {
        var parsed = JSON.parse(body);
        var message = parsed && parsed.error && parsed.error.message;
        if (message) return String(message);
      } catch (e) { /* not JSON: a proxy's error page */ }
      return T.error + " (HTTP " + response.status + ")";
    }, function () { return T.error + " (HTTP " + response.status + ")"; });
  }

  // ------------------------------------------------------------------ a turn

  var busy = false;
  var controller = null;

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    log.setAttribute("aria-busy", value ? "true" : "false");
  }

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "text/event-stream" };
    if (token) h.Authorization = "Bearer " + token;
    // A conversation begun without a token continues only with the key the server issued for it.
    if (state.sessionId && state.sessionKey) h[SESSION_KEY_HEADER] = state.sessionKey;
    return h;
  }

  // A cross-origin call the browser blocked looks like any network failure. The server answers a
  // no-cors request (an opaque response) when it is up: then the block was CORS, and the shop's
  // KEFU_WIDGET_ORIGINS is what to fix; when that fails too, the server is unreachable.
  function explainNetworkFailure() {
    if (scriptUrl.origin === window.location.origin) return Promise.resolve(T.network);
    return fetch(new URL("healthz", scriptUrl).href, { mode: "no-cors", credentials: "omit", cache: "no-store" }).then(function () {
      if (window.console) console.error("kefu widget: " + scriptUrl.origin + " refused this origin (" + window.location.origin + "); add it to KEFU_WIDGET_ORIGINS");
      return T.cors.replace("{origin}", window.location.origin);
    }, function () { return T.network; });
  }

  function send(text) {
    text = String(text == null ? "" : text).trim();
    if (!text || busy) return Promise.resolve(false);
    open();
    addMessage({ role: "user", text: text });

    // The bot's bubble: a status line until the first token, then the growing answer.
    var answer = { role: "bot", text: "", citations: [], notes: [] };
    var node = renderMessage(answer);
    var textNode = node.querySelector(".text");
    node.setAttribute("data-state", "waiting");
    node.setAttribute("aria-busy", "true");
    textNode.classList.add("status");
    textNode.textContent = T.received;
    log.appendChild(node);
    scrollToEnd();

    var gotToken = false;
    var finished = false;
    var failed = null;

    function show(message) { if (!gotToken) textNode.textContent = message; }

    function onEvent(type, data) {
      if (type === "status") {
        show({ received: T.received, retrieving: T.retrieving, generating: T.generating }[data.stage] || T.received);
      } else if (type === "tool") {
        show(T.tool);
      } else if (type === "token") {
        if (!gotToken) { gotToken = true; textNode.classList.remove("status"); textNode.textContent = ""; node.setAttribute("data-state", "streaming"); }
        answer.text += data.text || "";
        textNode.textContent = answer.text;
        scrollToEnd();
      } else if (type === "citation") {
        answer.citations.push({ source: data.source, section: data.section, chunk_id: data.chunk_id, text: data.text });
        renderCitations(node, [data]);
        scrollToEnd();
      } else if (type === "handoff") {
        answer.notes.push("handoff");
        renderNote(node, "handoff");
        state.handoff = true;
        scrollToEnd();
      } else if (type === "session") {
        // The key can change within a turn (the buyer verified): the old one no longer works.
        if (!token && typeof data.session_key === "string" && SESSION_KEY.test(data.session_key)) state.sessionKey = data.session_key;
      } else if (type === "error") {
        failed = data.message ? String(data.message) : T.error;
      } else if (type === "done") {
        finished = true;
        var reply = data.reply || {};
        if (typeof reply.session_id === "string" && SESSION_ID.test(reply.session_id)) state.sessionId = reply.session_id;
        if (typeof reply.answer === "string" && reply.answer && reply.answer !== answer.text) {
          answer.text = reply.answer;
        }
        textNode.classList.remove("status");
        textNode.textContent = answer.text;
        if (Array.isArray(reply.citations) && reply.citations.length) {
          reply.citations.forEach(function (c) {
            var known = answer.citations.some(function (a) { return (a.chunk_id || citationLabel(a)) === (c.chunk_id || citationLabel(c)); });
            if (!known) answer.citations.push({ source: c.source, section: c.section, chunk_id: c.chunk_id, text: c.text });
          });
          renderCitations(node, answer.citations);
        }
        if (reply.handoff && answer.notes.indexOf("handoff") < 0) { answer.notes.push("handoff"); renderNote(node, "handoff"); state.handoff = true; }
        if (reply.pending_confirmation) { answer.notes.push("pending"); renderNote(node, "pending"); }
        if (reply.degraded && !reply.handoff && answer.citations.length) {
          // "not available" only when it is: a model that is up but whose draft was refused or late is not.
          var down = ["no_model", "model_not_ready", "model_error"].indexOf(reply.fallback_reason) >= 0 || !reply.fallback_reason;
          var kind = down ? "degraded" : "degradedDraft";
          answer.notes.push(kind); renderNote(node, kind);
        }
        if (reply.pending_confirmation) renderQuickReplies(node);
        else if (Array.isArray(reply.choices) && reply.choices.length) {
          renderQuickReplies(node, reply.choices.filter(function (c) { return typeof c === "string"; }).map(function (c) { return [c, c]; }));
        }
        node.setAttribute("data-state", "done");
        scrollToEnd();
      }
      record(type, answer.text.length);
    }

    setBusy(true);
    controller = typeof AbortController === "function" ? new AbortController() : null;
    var body = { message: text, session_id: state.sessionId };
    var mine = controller;

    return fetch(STREAM_URL, {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(body),
      credentials: "omit",
      mode: "cors",
      cache: "no-store",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (response.status === 404 && body.session_id) {
        // The stored conversation is bound to another identity (or gone): start afresh next time.
        state.sessionId = null; state.sessionKey = null; state.handoff = false;
        failed = T.expired;
        return;
      }
      if (!response.ok) return errorMessageFrom(response).then(function (message) { failed = message; });
      // Without a token, the server hands out a key to read this conversation back (a human
      // agent's replies after a handoff); it comes before the first event.
      var key = response.headers.get(SESSION_KEY_HEADER);
      if (!token && key && SESSION_KEY.test(key)) state.sessionKey = key;
      return readEventStream(response, onEvent);
    }).then(function () {
      if (!failed && !finished) failed = gotToken ? T.interrupted : T.error;
    }, function (error) {
      if (error && error.name === "AbortError") { failed = null; finished = true; return; }
      if (gotToken) { failed = T.interrupted; return; }
      return explainNetworkFailure().then(function (message) { failed = message; });
    }).then(function () {
      if (mine !== controller) return false; // reset() started over meanwhile
      controller = null;
      node.removeAttribute("aria-busy");
      if (failed) {
        record("error", answer.text.length);
        if (answer.text) {
          // Keep what arrived, and say it was cut short.
          textNode.classList.remove("status");
          state.messages.push(answer);
          node.setAttribute("data-state", "done");
        } else {
          node.remove();
        }
        addMessage({ role: "bot", error: true, text: failed });
      } else {
        state.messages.push(answer);
        saveState();
      }
      setBusy(false);
      if (state.handoff) startPolling();
      return !failed;
    });
  }

  function reset() {
    if (controller) { controller.abort(); controller = null; }
    setBusy(false);
    stopPolling();
    state = { sessionId: null, sessionKey: null, messages: [], open: isOpen(), handoff: false, seenOperatorTurns: [] };
    saveState();
    renderAll();
    input.value = "";
    autosize();
    if (isOpen()) input.focus();
  }

  // ------------------------------------------------------------------ a human agent's replies

  // After a handoff, the widget shows the operator's messages: the API lets a conversation's own
  // signed-in principal read it (the token), and an anonymous visitor with the session's key.
  var pollTimer = null;

  function canPoll() { return !!(token || state.sessionKey); }

  function stopPolling() { if (pollTimer) { clearTimeout(pollTimer); pollTimer = null; } }

  function startPolling() {
    if (pollTimer || !canPoll() || !state.sessionId || !state.handoff) return;
    pollTimer = setTimeout(poll, POLL_MS);
  }

  var polling = false;

  function pollNow() {
    stopPolling();
    poll();
  }

  function poll() {
    pollTimer = null;
    if (polling || !canPoll() || !state.sessionId || !state.handoff) return;
    if (document.hidden) { startPolling(); return; }
    polling = true;
    var sessionId = state.sessionId;
    var pollHeaders = { "Accept": "application/json" };
    if (token) pollHeaders.Authorization = "Bearer " + token;
    else pollHeaders[SESSION_KEY_HEADER] = state.sessionKey;
    fetch(SESSIONS_URL + encodeURIComponent(sessionId), {
      headers: pollHeaders,
      credentials: "omit",
      mode: "cors",
      cache: "no-store"
    }).then(function (response) {
      if (state.sessionId !== sessionId) return null; // reset() meanwhile
      // 401/403/404: the token expired, or it or the key is not this conversation's; stop asking.
      if (!response.ok) { state.handoff = response.status >= 500 || response.status === 429; return null; }
      return response.json();
    }).then(function (conversation) {
      if (!conversation || state.sessionId !== sessionId) return;
      (conversation.turns || []).forEach(function (turn) {
        if (turn.role !== "operator" || state.seenOperatorTurns.indexOf(turn.id) >= 0) return;
        state.seenOperatorTurns.push(turn.id);
        addMessage({ role: "agent", text: turn.text });
      });
      state.handoff = !!(conversation.handoff && conversation.handoff.status);
    }, function () { /* offline for a moment: try again later */ }).then(function () {
      polling = false;
      saveState();
      startPolling();
    });
  }

  // ------------------------------------------------------------------ input

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    autosize();
    send(text);
  });

  input.addEventListener("keydown", function (event) {
    // Enter sends, Shift+Enter breaks the line; never while an IME is composing (pinyin input).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  input.addEventListener("input", autosize);

  root.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && !event.isComposing && isOpen()) {
      event.preventDefault();
      close();
    }
  });

  bubble.addEventListener("click", toggle);
  closeButton.addEventListener("click", close);
  newButton.addEventListener("click", reset);

  // ------------------------------------------------------------------ start

  renderAll();

  function mount() {
    document.body.appendChild(host);
    if (state.open) {
      panel.hidden = false;
      container.classList.add("open");
      bubble.setAttribute("aria-expanded", "true");
      bubble.innerHTML = ICON_CLOSE;
      scrollToEnd();
    }
    startPolling();
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.kefuWidget = {
    version: "1",
    lang: lang,
    apiBase: new URL(".", scriptUrl).href,
    events: debugEvents,
    open: open,
    close: close,
    toggle: toggle,
    send: send,
    reset: reset,
    setToken: function (value) { token = String(value || "").trim(); if (state.handoff) startPolling(); },
    sessionId: function () { return state.sessionId; }
  };
})();
