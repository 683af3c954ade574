/* The annotation page's keyboard shortcuts. The page works without this file (a plain form); this only
   adds: 1–7 toggle an emotion, Enter submits, S opens "skip" (then 1–5 picks the reason), Esc closes it,
   U undoes the last answer, ? shows the help. The first emotion ticked becomes the main one. */
(function () {
  "use strict";
  var form = document.getElementById("annotate-form");
  var undo = document.getElementById("undo-form");
  var help = document.getElementById("help");
  var started = Date.now();
  var skipPanel = form ? document.getElementById("skip-panel") : null;
  var primary = form ? document.getElementById("primary") : null;
  var primaryChosenByHand = false;
  var order = [];
  var submitting = false;

  function boxes() {
    return form ? Array.prototype.slice.call(form.querySelectorAll("input[name=labels]")) : [];
  }

  function refresh() {
    var checked = boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    order = order.filter(function (v) { return checked.indexOf(v) !== -1; });
    checked.forEach(function (v) { if (order.indexOf(v) === -1) { order.push(v); } });
    if (primary && (!primaryChosenByHand || checked.indexOf(primary.value) === -1)) {
      primary.value = order.length ? order[0] : "";
      primaryChosenByHand = false;
    }
    boxes().forEach(function (b) {
      var mark = b.parentNode.querySelector(".eh-primary");
      if (mark) { mark.hidden = !(primary && b.checked && primary.value === b.value); }
    });
  }

  function toggle(box) {
    box.checked = !box.checked;
    exclusive(box);
    refresh();
  }

  // "neutral" cannot be combined with an emotion: ticking one clears the other
  function exclusive(box) {
    if (!box.checked) { return; }
    boxes().forEach(function (b) {
      if (b !== box && (box.value === "neutral" || b.value === "neutral")) { b.checked = false; }
    });
  }

  function submitWith(buttonId) {
    if (submitting || !form) { return; }
    var button = document.getElementById(buttonId);
    if (button) { button.click(); }
  }

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && /^(text|search|number)$/.test(target.type));
  }

  if (form) {
    boxes().forEach(function (b) {
      b.addEventListener("change", function () { exclusive(b); refresh(); });
    });
    if (primary) {
      primary.addEventListener("change", function () { primaryChosenByHand = primary.value !== ""; refresh(); });
    }
    form.addEventListener("submit", function (event) {
      if (submitting) { event.preventDefault(); return; }
      submitting = true;
      form.querySelector("input[name=duration_ms]").value = String(Date.now() - started);
    });
    refresh();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    if (key === "Escape") {
      if (skipPanel && skipPanel.open) { skipPanel.open = false; }
      if (help && help.open) { help.open = false; }
      return;
    }
    if (typing(event.target)) {
      if (key === "Enter" && event.target.id === "skip-note") { event.preventDefault(); submitWith("submit-skip"); }
      return;
    }
    if (key === "?") { event.preventDefault(); if (help) { help.open = !help.open; } return; }
    if (key === "u" || key === "U") { event.preventDefault(); if (undo && !submitting) { submitting = true; undo.submit(); } return; }
    if (!form) { return; }
    if (key === "Enter") {
      if (event.target && (event.target.tagName === "BUTTON" || event.target.tagName === "SUMMARY" || event.target.tagName === "A")) { return; }
      event.preventDefault();
      submitWith(skipPanel && skipPanel.open ? "submit-skip" : "submit-labels");
      return;
    }
    if (key === "s" || key === "S") {
      event.preventDefault();
      if (skipPanel) {
        skipPanel.open = true;
        var first = skipPanel.querySelector("input[name=skip_reason]");
        if (first) { first.focus(); }
      }
      return;
    }
    if (/^[1-9]$/.test(key)) {
      var n = parseInt(key, 10);
      if (skipPanel && skipPanel.open) {
        var reasons = skipPanel.querySelectorAll("input[name=skip_reason]");
        if (n <= reasons.length) {
          event.preventDefault();
          reasons[n - 1].checked = true;
          if (reasons[n - 1].value === "other") { document.getElementById("skip-note").focus(); }
        }
        return;
      }
      var box = form.querySelector("input[name=labels][data-key='" + n + "']");
      if (box) { event.preventDefault(); toggle(box); }
    }
  });
})();
