/*! EmotionHub in-app micro-survey widget. Vanilla ES2017, no dependencies, no build step.
 * <script async src="https://HOST/static/js/emotionhub-survey.js" data-survey-key="srv_..." data-endpoint="https://HOST"
 *   data-respondent-email="" data-respondent-id="" data-delay-ms=""></script>
 * API: window.EmotionHubSurvey.show() (ignores an earlier dismissal), .hide(), .state
 * ("idle" | "loading" | "shown" | "hidden" | "suppressed" | "failed"). Errors go to console.warn only. */
(function () {
  "use strict";
  if (window.EmotionHubSurvey) return;
  var script = document.currentScript || document.querySelector("script[data-survey-key]");
  var ds = (script && script.dataset) || {};
  var key = ds.surveyKey || "";
  var base = (ds.endpoint || (script && script.src ? new URL(script.src, location.href).origin : "")).replace(/\/+$/, "");
  var api = base + "/api/v1/surveys/" + encodeURIComponent(key) + "/";
  var storeKey = "emotionhub-survey:" + key;
  var state = "idle", config = null, host = null, root = null, msg = null, timer = 0, spent = false, answer = {};

  function warn(m, e) { try { console.warn("[EmotionHub survey] " + m, e || ""); } catch (x) { /* no console */ } }
  function remembered() {
    try { return Number(localStorage.getItem(storeKey)) > Date.now(); } catch (e) { return false; }
  }
  function remember() {
    try { localStorage.setItem(storeKey, String(Date.now() + 30 * 864e5)); } catch (e) { /* storage off */ }
  }
  function el(tag, attrs, text) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text != null) n.textContent = String(text);
    return n;
  }
  function say(text, isError) {
    if (msg) { msg.textContent = text || ""; msg.className = isError ? "msg err" : "msg"; }
  }
  async function request(url, options) {
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var t = ctl && setTimeout(function () { ctl.abort(); }, 10000);
    try {
      return await fetch(url, Object.assign({ mode: "cors", credentials: "omit", signal: ctl && ctl.signal }, options));
    } finally { clearTimeout(t); }
  }

  var CSS = ":host{all:initial}*{box-sizing:border-box}" +
    ".card{position:relative;width:min(320px,calc(100vw - 32px));max-height:calc(100vh - 32px);overflow:auto;" +
    "padding:14px;background:#fff;color:#1f2937;font:14px/1.4 system-ui,sans-serif;border:1px solid #e5e7eb;" +
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.18)}" +
    "p{margin:0 0 6px}.q{margin-right:24px;font-weight:600}.row{display:flex;flex-wrap:wrap;gap:4px;margin:0 0 10px}" +
    "button{font:inherit;color:inherit;cursor:pointer;border:1px solid #d1d5db;background:#f9fafb;border-radius:8px;" +
    "margin:0;padding:4px 0;flex:1 1 0}button:hover{background:#f3f4f6}" +
    "[aria-pressed=true]{background:#dbeafe;border-color:#2563eb}.face{font-size:11px;display:flex;" +
    "flex-direction:column;align-items:center}.emoji{font-size:22px}.sub,label{font-size:12px;color:#4b5563}" +
    "label{display:block;margin:0 0 4px}textarea{display:block;width:100%;min-height:56px;resize:vertical;" +
    "font:inherit;color:inherit;background:#fff;border:1px solid #d1d5db;border-radius:8px;padding:6px;margin:0 0 8px}" +
    ".send{flex:none;padding:6px 14px;background:#2563eb;border-color:#2563eb;color:#fff;font-weight:600}" +
    ".send[disabled]{opacity:.6}.x{position:absolute;top:6px;right:6px;flex:none;width:28px;height:28px;padding:0;" +
    "border:0;background:none;font-size:20px}.msg:empty{display:none}.err{color:#b91c1c}" +
    ".thanks{margin:8px 0;font-size:16px;font-weight:600;text-align:center}" +
    ":focus-visible{outline:2px solid #2563eb;outline-offset:2px}";

  function group(label, items, name, cls) {
    var wrap = el("div", { role: "group", "aria-label": label }), row = el("div", { class: "row" });
    if (name !== "scale") wrap.appendChild(el("p", { class: "sub", "aria-hidden": "true" }, label));
    items.forEach(function (item) {
      var face = typeof item === "object", b = el("button", { type: "button", class: cls, "aria-pressed": "false" });
      if (face) {
        b.appendChild(el("span", { class: "emoji", "aria-hidden": "true" }, item.emoji || ""));
        b.appendChild(el("span", {}, item.label));
      } else b.textContent = String(item);
      b.addEventListener("click", function () {
        var on = b.getAttribute("aria-pressed") !== "true";
        row.querySelectorAll("button").forEach(function (o) { o.setAttribute("aria-pressed", "false"); });
        b.setAttribute("aria-pressed", String(on));
        if (on) answer[name] = face ? item.value : item; else delete answer[name];
        say("");
      });
      row.appendChild(b);
    });
    wrap.appendChild(row);
    return wrap;
  }
  function range(a, b) { var r = []; while (a <= b) r.push(a++); return r; }

  function render() {
    host = document.createElement("emotionhub-survey");
    host.setAttribute("style", "all:initial;display:block;position:fixed;right:16px;bottom:16px;z-index:2147483647");
    root = host.attachShadow({ mode: "open" });
    root.appendChild(el("style", {}, CSS));
    var card = el("form", { class: "card", role: "dialog", "aria-label": "Feedback survey", novalidate: "" });
    var close = function () { remember(); hide(); };
    var x = el("button", { type: "button", class: "x", "aria-label": "Dismiss survey" }, "\u00d7");
    x.addEventListener("click", close);
    card.appendChild(x);
    card.appendChild(el("p", { class: "q" }, config.question));
    card.appendChild(group(config.question, config.scale, "scale", "face"));
    if (config.ask_nps) card.appendChild(group("How likely are you to recommend us? (0\u201310)", range(0, 10), "nps", "num"));
    if (config.ask_csat) card.appendChild(group("How satisfied are you? (1\u20135)", range(1, 5), "csat", "num"));
    var text = null;
    if (config.free_text_prompt) {
      card.appendChild(el("label", { for: "eh-text" }, config.free_text_prompt));
      card.appendChild(text = el("textarea", { id: "eh-text", maxlength: "2000", rows: "2" }));
    }
    card.appendChild(msg = el("p", { class: "msg", role: "status", "aria-live": "polite" }));
    var send = el("button", { type: "submit", class: "send" }, "Submit");
    card.appendChild(send);
    card.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
    card.addEventListener("submit", function (e) {
      e.preventDefault();
      submit(card, send, text).catch(function (err) { send.disabled = false; warn("submit failed", err); });
    });
    root.appendChild(card);
  }

  async function submit(card, send, text) {
    var body = Object.assign({}, answer), who = {};
    if (text && text.value.trim()) body.text = text.value.trim();
    if (!Object.keys(body).length) return say("Please pick an answer first.", true);
    if (ds.respondentEmail) who.email = ds.respondentEmail;
    if (ds.respondentId) who.external_id = ds.respondentId;
    if (Object.keys(who).length) body.respondent = who;
    body.page = location.href;
    send.disabled = true;
    say("Sending\u2026");
    var res, data = {};
    try {
      res = await request(api + "responses/", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
    } catch (err) {
      warn("network error", err);
      return say("Could not send your answer. Check your connection and try again.", true);
    } finally { send.disabled = false; }
    try { data = (await res.json()) || {}; } catch (e) { /* not JSON */ }
    if (res.status === 201) {
      remember();
      spent = true;
      while (card.firstChild) card.removeChild(card.firstChild);
      card.appendChild(el("p", { class: "thanks", role: "status" }, "Thank you!"));
      timer = setTimeout(hide, 2500);
    } else if (res.status === 429) {
      say("Please try again in a minute.", true);
    } else if (res.status === 400) {
      var errors = data.errors || {};
      say([data.detail || "The answer is not valid."].concat(Object.keys(errors).map(function (k) {
        return (k === "body" ? "" : k + ": ") + errors[k];
      })).join(" "), true);
    } else {
      warn("unexpected status " + res.status, data);
      say("Something went wrong. Please try again later.", true);
    }
  }

  function mount() {
    if (!document.body) return document.addEventListener("DOMContentLoaded", mount, { once: true });
    if (spent) { hide(); host = null; answer = {}; spent = false; }  // after a thank-you, start afresh
    if (!host) render();
    if (!host.isConnected) document.body.appendChild(host);
    state = "shown";
  }
  function hide() {
    clearTimeout(timer);
    if (root && root.activeElement) root.activeElement.blur();
    if (host && host.parentNode) host.parentNode.removeChild(host);
    if (state !== "idle") state = "hidden";
  }
  async function start(force) {
    try {
      if (!key) throw new Error("no data-survey-key on the script tag");
      if (!force && remembered()) { state = "suppressed"; return; }
      state = "loading";
      if (!config) {
        var res = await request(api, { headers: { Accept: "application/json" } });
        if (!res.ok) throw new Error("config request returned " + res.status);
        var c = await res.json();
        if (!c || !Array.isArray(c.scale) || !c.scale.length) throw new Error("config has no scale");
        config = c;
      }
      clearTimeout(timer);
      timer = setTimeout(function () {
        try { mount(); } catch (err) { warn("could not render", err); state = "failed"; }
      }, force ? 0 : Math.max(0, parseInt(ds.delayMs, 10) || 0));
    } catch (err) {
      warn("not shown", err);
      state = "failed";
    }
  }

  window.EmotionHubSurvey = Object.freeze({
    show: function () { start(true); },
    hide: hide,
    get state() { return state; },
  });
  start(false);
})();
