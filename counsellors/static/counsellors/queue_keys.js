// The review queue with the keyboard alone (counsellors/includes/queue_keys.html lists the
// keys): j/k or the arrows move between the proposals, Enter opens one in place (its
// <summary>), f and r open it at the forward or the reject form, x selects it for the bulk
// actions, b goes to them, Esc steps back, ? shows the list. Nothing is taken while the
// person types in a field (but Esc, which leaves it), nor with Ctrl, Alt or Meta held.
// What happens is said in the page's live region. Without JavaScript the rows still open
// (they are <details>) and every form works.
(function () {
  "use strict";

  // Letters by the key's place too: on a Persian keyboard "j" types "ت".
  const BY_CODE = { KeyJ: "j", KeyK: "k", KeyF: "f", KeyR: "r", KeyX: "x", KeyB: "b", Slash: "/" };
  // Where keys type (a check box or a button does not).
  const FIELD =
    "textarea, select, [contenteditable=''], [contenteditable='true'], " +
    "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]):not([type=reset])";

  let current = null; // the row last moved to

  function rows() {
    return Array.from(document.querySelectorAll("[data-queue] > [data-match-row]"));
  }

  function rowOf(element) {
    return element && element.closest ? element.closest("[data-match-row]") : null;
  }

  function summaryOf(row) {
    return row.querySelector("[data-row-summary]");
  }

  function announce(text) {
    const region = document.querySelector("[data-queue-announce]");
    if (!region || !text) return;
    // Emptied first, so the same words said twice are read twice.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function format(number) {
    return new Intl.NumberFormat(document.documentElement.lang).format(number);
  }

  function focusRow(row, quiet) {
    if (!row) return;
    current = row;
    row.scrollIntoView({ block: "nearest" });
    summaryOf(row).focus({ preventScroll: true });
    if (quiet) return;
    const all = rows();
    const region = document.querySelector("[data-queue-announce]");
    if (region && region.dataset.position) {
      announce(
        region.dataset.position
          .replace("%(n)s", format(all.indexOf(row) + 1))
          .replace("%(total)s", format(all.length))
      );
    }
  }

  function activeRow() {
    const here = rowOf(document.activeElement);
    if (here) current = here;
    if (current && !current.isConnected) current = null;
    return current;
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const row = activeRow();
    const index = row ? all.indexOf(row) + step : step > 0 ? 0 : all.length - 1;
    focusRow(all[Math.max(0, Math.min(all.length - 1, index))]);
  }

  // The first control of the row's forward or reject form (the queue's own forms, or the
  // match's actions partial that htmx put in their place after an error).
  function openAt(kind) {
    const row = activeRow();
    if (!row) return;
    const control = row.querySelector(
      kind === "forward"
        ? 'form[action$="/forward/"] textarea, form[action$="/forward/"] button'
        : 'form[action$="/reject/"] select, form[action$="/reject/"] textarea'
    );
    if (!control) {
      announce(document.querySelector("[data-queue-announce]").dataset.notReviewable);
      return;
    }
    row.querySelector("[data-row-details]").open = true;
    control.focus();
  }

  function toggleSelected() {
    const row = activeRow();
    if (!row) return;
    const box = row.querySelector("[data-select-match]:not(:disabled)");
    const region = document.querySelector("[data-queue-announce]");
    if (!box) {
      announce(region.dataset.notReviewable);
      return;
    }
    box.checked = !box.checked;
    box.dispatchEvent(new Event("change", { bubbles: true }));
    const count = document.querySelector("[data-selected-count]");
    announce(
      (box.checked ? region.dataset.selected : region.dataset.unselected) +
        (count ? " " + count.textContent : "")
    );
  }

  function toBulk() {
    const button = document.querySelector("[data-bulk-forward]");
    if (!button) return;
    button.scrollIntoView({ block: "nearest" });
    button.focus({ preventScroll: true });
  }

  function toggleHelp() {
    const help = document.querySelector("[data-queue-keys]");
    if (!help) return;
    help.open = !help.open;
    help.querySelector("summary").focus();
  }

  function escape(target) {
    const row = rowOf(target);
    if (!row) return false;
    const summary = summaryOf(row);
    if (target !== summary) {
      focusRow(row);
      return true;
    }
    const details = row.querySelector("[data-row-details]");
    if (details.open) {
      details.open = false;
      return true;
    }
    return false;
  }

  function keyName(event) {
    const key = event.key;
    if (key === "?" || key === "؟") return "?";
    if (/^[a-z]$/i.test(key)) return key.toLowerCase();
    if (key && key.length === 1 && BY_CODE[event.code]) {
      return event.shiftKey && event.code === "Slash" ? "?" : BY_CODE[event.code];
    }
    return key;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    const target = event.target;
    const inField = target.closest && target.closest(FIELD);
    if (event.key === "Escape") {
      if (inField && target.tagName === "SELECT") return; // Esc closes its list
      if (escape(target)) event.preventDefault();
      return;
    }
    if (inField) return;
    const name = keyName(event);
    const onRow = Boolean(rowOf(target)) && target.matches("[data-row-summary]");
    const actions = {
      j: function () { move(1); },
      k: function () { move(-1); },
      f: function () { openAt("forward"); },
      r: function () { openAt("reject"); },
      x: toggleSelected,
      b: toBulk,
      "?": toggleHelp,
    };
    // The arrows move between the rows only from a row: elsewhere they scroll as usual.
    if (onRow && name === "ArrowDown") actions.ArrowDown = actions.j;
    if (onRow && name === "ArrowUp") actions.ArrowUp = actions.k;
    const action = actions[name];
    if (!action) return;
    event.preventDefault();
    action();
  }

  // After a row was forwarded or rejected in place (htmx), its line keeps the focus and the
  // result is said; a form sent back with errors gets the focus on its first wrong field.
  let pending = null;

  function afterSwap(event) {
    const row = rowOf(event.target) || pending;
    pending = null;
    if (!row || !row.isConnected) return;
    const invalid = row.querySelector(".is-invalid, [aria-invalid='true']");
    if (invalid) {
      invalid.focus();
      return;
    }
    const said = row.querySelector(".match-actions [role=status], .match-actions [role=alert]");
    // The focus was on the form htmx replaced: back to the line (not when the person has
    // moved on meanwhile).
    const active = document.activeElement;
    if (!active || active === document.body || row.contains(active)) focusRow(row, Boolean(said));
    if (said) announce(said.textContent.trim());
  }

  function init() {
    if (!document.querySelector("[data-queue]")) return;
    document.addEventListener("keydown", onKey);
    document.addEventListener("focusin", function (event) {
      const row = rowOf(event.target);
      if (row) current = row;
    });
    document.body.addEventListener("htmx:beforeRequest", function (event) {
      pending = rowOf(event.target);
    });
    document.body.addEventListener("htmx:afterSettle", afterSwap);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
