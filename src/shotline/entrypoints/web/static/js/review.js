// Review mode from the keyboard: p pass, f fail with a defect, 1-9 fail one item, Enter
// record, n next, b back, c comment, ? help (viewer.js adds z, 0, l and r). Every key
// presses a link or button that is on the page anyway, so nothing here is needed to review.
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    if (target.isContentEditable) return true;
    if (target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
    return target.tagName === "INPUT" && !/^(radio|checkbox|button|submit)$/.test(target.type);
  }

  function setItem(item, verdict) {
    const radio = item.querySelector("input[type=radio][value='" + verdict + "']");
    if (radio) radio.checked = true;
    item.classList.toggle("is-fail", verdict === "fail");
    item.classList.toggle("is-pass", verdict === "pass");
  }

  function start() {
    const bar = document.querySelector("[data-review]");
    const form = document.querySelector("[data-decision-form]");
    const help = document.getElementById("key-help");
    const helpButton = document.querySelector("[data-help-toggle]");
    const toggleHelp = (show) => {
      if (!help) return;
      help.hidden = show === undefined ? !help.hidden : !show;
      if (helpButton) helpButton.setAttribute("aria-expanded", help.hidden ? "false" : "true");
    };
    if (helpButton) helpButton.addEventListener("click", () => toggleHelp());

    if (form) {
      form.classList.add("js");
      // Ticking a radio shows or hides the item's defect list (CSS keys off the class).
      form.querySelectorAll(".item").forEach((item) => {
        item.querySelectorAll("input[type=radio]").forEach((radio) => {
          radio.addEventListener("change", () => setItem(item, radio.value));
        });
      });
      const quick = form.querySelector("#quick-defect");
      if (quick) {
        // Enter on a select does not submit a form by itself.
        quick.addEventListener("keydown", (event) => {
          if (event.key === "Enter" && quick.value) {
            event.preventDefault();
            form.requestSubmit(form.querySelector("#fail-defect"));
          }
        });
      }
    }

    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "Escape") {
        toggleHelp(false);
        if (typing(event.target)) event.target.blur();
        return;
      }
      if (typing(event.target)) return;
      const key = event.key;
      if (key === "?") { toggleHelp(); event.preventDefault(); return; }
      if (bar && key === "n" && bar.dataset.next) { window.location.href = bar.dataset.next; return; }
      if (bar && key === "b" && bar.dataset.back) { window.location.href = bar.dataset.back; return; }
      if (!form) return;
      if (key === "p") {
        event.preventDefault();
        form.requestSubmit(form.querySelector("#pass-all"));
      } else if (key === "f") {
        event.preventDefault();
        const quick = form.querySelector("#quick-defect");
        if (quick) quick.focus();
      } else if (key === "c") {
        event.preventDefault();
        form.querySelector("#comment").focus();
      } else if (/^[1-9]$/.test(key)) {
        const item = form.querySelectorAll(".item")[parseInt(key, 10) - 1];
        if (!item) return;
        event.preventDefault();
        setItem(item, "fail");
        const select = item.querySelector("select");
        if (select) select.focus();
      } else if (key === "Enter" && !(event.target && /^(BUTTON|A)$/.test(event.target.tagName))) {
        event.preventDefault();
        form.requestSubmit(form.querySelector("#decide"));
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
