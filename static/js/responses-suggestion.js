/* Suggested replies: copy to the clipboard, and keep the highlighted preview in step with the edited text.
   No libraries. Safe to load more than once: each suggestion box is wired a single time. */
(function () {
  "use strict";

  var PLACEHOLDER = /\{\{[\s\S]*?\}\}/g;

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  function highlighted(text) {
    var html = "";
    var last = 0;
    text.replace(PLACEHOLDER, function (match, offset) {
      html += escapeHtml(text.slice(last, offset)) + '<mark class="responses-missing">' + escapeHtml(match) + "</mark>";
      last = offset + match.length;
      return match;
    });
    html += escapeHtml(text.slice(last));
    return html.replace(/\r?\n/g, "<br>");
  }

  function copyText(text, done) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallback(text)); });
    } else {
      done(fallback(text));
    }
  }

  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function unfilled(text) {
    return text.match(PLACEHOLDER) || [];
  }

  function wire(box) {
    if (box.dataset.responsesWired) { return; }
    box.dataset.responsesWired = "1";
    var subject = box.querySelector("[data-responses-subject]");
    var body = box.querySelector("[data-responses-body]");
    var preview = box.querySelector("[data-responses-preview]");
    var copied = box.querySelector("[data-responses-copied]");
    var copy = box.querySelector("[data-responses-copy]");
    if (body && preview) {
      body.addEventListener("input", function () { preview.innerHTML = highlighted(body.value); });
    }
    var form = box.querySelector("form");
    if (form && body) {
      // The server refuses a reply that still holds placeholders; say so before the edits are posted.
      form.addEventListener("submit", function (event) {
        var left = unfilled((subject ? subject.value : "") + "\n" + body.value);
        if (left.length) {
          event.preventDefault();
          if (copied) { copied.textContent = "Fill in or remove " + left.join(", ") + " first."; }
          body.focus();
        }
      });
    }
    if (copy && body) {
      copy.addEventListener("click", function () {
        var text = (subject && subject.value.trim() ? subject.value.trim() + "\n\n" : "") + body.value;
        copyText(text, function (ok) {
          if (copied) { copied.textContent = ok ? "Copied." : "Copy failed: select the text and copy it yourself."; }
        });
      });
    }
  }

  function wireAll() {
    var boxes = document.querySelectorAll("[data-responses-suggestion]");
    for (var i = 0; i < boxes.length; i++) { wire(boxes[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wireAll);
  } else {
    wireAll();
  }
})();
