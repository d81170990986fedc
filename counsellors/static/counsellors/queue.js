// The review queue (counsellors/queue.html): "select every match on this page", a live count
// of the selected matches for the bulk actions, and a row forwarded or rejected in place
// (htmx) leaves the selection. Without JavaScript the check boxes and buttons work as they are.
(function () {
  "use strict";

  function boxes() {
    return Array.from(document.querySelectorAll("[data-select-match]:not(:disabled)"));
  }

  function update() {
    const all = boxes();
    const checked = all.filter(function (box) { return box.checked; }).length;
    const selectAll = document.querySelector("[data-select-all]");
    if (selectAll) {
      selectAll.checked = all.length > 0 && checked === all.length;
      selectAll.indeterminate = checked > 0 && checked < all.length;
    }
    const status = document.querySelector("[data-selected-count]");
    if (status) {
      const template = checked === 1 ? status.dataset.one : status.dataset.many;
      status.textContent = template ? template.replace("%s", new Intl.NumberFormat(document.documentElement.lang).format(checked)) : "";
    }
  }

  function init() {
    const form = document.querySelector("[data-bulk-form]");
    if (!form) return;
    const wrapper = form.querySelector("[data-select-all-wrapper]");
    if (wrapper) wrapper.hidden = false;
    const selectAll = form.querySelector("[data-select-all]");
    if (selectAll) {
      selectAll.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = selectAll.checked; });
        update();
      });
    }
    document.addEventListener("change", function (event) {
      if (event.target.matches("[data-select-match]")) update();
    });
    // A row forwarded or rejected in place (htmx) has no forward form any more: it leaves
    // the selection.
    document.body.addEventListener("htmx:afterSettle", function () {
      document.querySelectorAll("[data-match-row]").forEach(function (row) {
        const box = row.querySelector("[data-select-match]");
        if (box && !row.querySelector('form[action$="/forward/"]')) {
          box.checked = false;
          box.disabled = true;
        }
      });
      update();
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
