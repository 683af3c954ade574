// Coaching period picker: typing a date selects "Custom", choosing a preset clears the dates.
(function () {
  "use strict";
  document.querySelectorAll("form.coach-period").forEach(function (form) {
    var custom = form.querySelector('input[name="period"][value="custom"]');
    var dates = form.querySelectorAll('input[type="date"]');
    dates.forEach(function (input) {
      input.addEventListener("change", function () { if (custom) { custom.checked = true; } });
    });
    form.querySelectorAll('input[name="period"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.value !== "custom") { dates.forEach(function (input) { input.value = ""; }); }
      });
    });
  });
})();
