// The HS code picker (taxonomy/widgets.py): htmx fills the listbox as the user
// types; this file lets the arrow keys, Enter, Escape and a click pick an option
// and copy its code into the code input, or, in a box of several codes
// (data-hs-multiple), add it to them. Delegated on document, so pickers added
// later (htmx swaps, formsets) work too.
(function () {
  "use strict";

  const OPTION = '[role="option"]:not([aria-disabled="true"])';

  function pickerOf(element) {
    const root = element.closest("[data-hs-picker]");
    if (!root) return null;
    const search = root.querySelector("[data-hs-search]");
    return {
      root: root,
      search: search,
      listbox: root.querySelector('[role="listbox"]'),
      code: document.getElementById(search.dataset.hsCodeInput),
      selected: root.querySelector("[data-hs-selected]"),
      status: root.querySelector("[data-hs-status]"),
    };
  }

  function options(picker) {
    return Array.from(picker.listbox.querySelectorAll(OPTION));
  }

  function activate(picker, index) {
    const all = options(picker);
    all.forEach(function (option, i) {
      const active = i === index;
      option.setAttribute("aria-selected", String(active));
      option.classList.toggle("active", active);
    });
    if (index >= 0 && all[index]) {
      picker.search.setAttribute("aria-activedescendant", all[index].id);
      all[index].scrollIntoView({ block: "nearest" });
    } else {
      picker.search.removeAttribute("aria-activedescendant");
    }
  }

  function close(picker) {
    picker.listbox.replaceChildren();
    picker.search.setAttribute("aria-expanded", "false");
    picker.search.removeAttribute("aria-activedescendant");
  }

  // The separators the server reads between codes (taxonomy.sectors.split_codes).
  const SEPARATORS = /[,\u060c;\s]+/;

  function add(picker, option) {
    const code = option.dataset.code;
    const codes = picker.code.value.split(SEPARATORS).filter(Boolean);
    if (codes.indexOf(code) >= 0) return;
    picker.code.value = codes.concat([code]).join(", ");
    const item = document.createElement("li");
    item.dataset.code = code;
    item.textContent = option.dataset.label;
    picker.selected.appendChild(item);
  }

  function choose(picker, option) {
    if (picker.root.hasAttribute("data-hs-multiple")) {
      add(picker, option);
    } else {
      picker.code.value = option.dataset.code;
      picker.selected.textContent = option.dataset.label;
    }
    picker.code.dispatchEvent(new Event("input", { bubbles: true }));
    picker.code.dispatchEvent(new Event("change", { bubbles: true }));
    picker.status.textContent = option.dataset.label;
    close(picker);
    picker.search.focus();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    const listbox = event.target;
    if (!(listbox instanceof Element) || !listbox.matches('[data-hs-picker] [role="listbox"]')) return;
    const picker = pickerOf(listbox);
    const all = options(picker);
    all.forEach(function (option, i) {
      option.id = listbox.id + "_option_" + i;
    });
    picker.search.setAttribute("aria-expanded", String(all.length > 0));
    picker.search.removeAttribute("aria-activedescendant");
    const summary = listbox.querySelector("[data-hs-summary]");
    picker.status.textContent = summary ? summary.textContent.trim() : "";
  });

  document.addEventListener("keydown", function (event) {
    if (!(event.target instanceof Element) || !event.target.matches("[data-hs-search]")) return;
    const picker = pickerOf(event.target);
    const all = options(picker);
    const current = all.findIndex(function (option) {
      return option.getAttribute("aria-selected") === "true";
    });
    switch (event.key) {
      case "ArrowDown":
        if (!all.length) return;
        event.preventDefault();
        activate(picker, (current + 1) % all.length);
        break;
      case "ArrowUp":
        if (!all.length) return;
        event.preventDefault();
        activate(picker, current <= 0 ? all.length - 1 : current - 1);
        break;
      case "Enter":
        event.preventDefault();
        if (current >= 0) choose(picker, all[current]);
        else if (all.length === 1) choose(picker, all[0]);
        break;
      case "Escape":
        if (!picker.listbox.children.length) return;
        event.preventDefault();
        close(picker);
        break;
    }
  });

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    const option = event.target.closest("[data-hs-picker] " + OPTION);
    if (option) choose(pickerOf(option), option);
  });
})();
