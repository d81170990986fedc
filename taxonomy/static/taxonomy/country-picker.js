// The country picker (taxonomy/widgets.py CountryPickerWidget): a list of checkboxes that
// works on its own; this file shows the filter box above it, narrows the list as one types
// (the reader's name, the English one or the ISO code; case, accents, Arabic and Persian
// letter forms ignored), and shows the chosen countries as chips that remove them.
// Enter in the box chooses the only country left, the down arrow goes to the first one
// shown, Escape empties the box. Delegated on document, so pickers added later work too.
(function () {
  "use strict";

  const LANGUAGE = document.documentElement.lang || "fa";
  // Arabic letter forms folded onto the Persian ones (and back): a reader types either.
  const LETTERS = { "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ة": "ه", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و" };
  const IGNORED = /[\u200c\u200d\u0640\u064b-\u065f\u0670]/g; // ZWNJ, ZWJ, tatweel, vowel marks

  function fold(text) {
    return text
      .toLocaleLowerCase(LANGUAGE)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(IGNORED, "")
      .replace(/[يىئكةأإآٱؤ]/g, function (letter) {
        return LETTERS[letter];
      })
      .replace(/\s+/g, " ")
      .trim();
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function parts(root) {
    return {
      root: root,
      filter: root.querySelector("[data-country-filter]"),
      chips: root.querySelector("[data-country-chips]"),
      none: root.querySelector("[data-country-none]"),
      status: root.querySelector("[data-country-status]"),
      options: Array.from(root.querySelectorAll("[data-country-option]")),
      groups: Array.from(root.querySelectorAll("[data-country-group]")),
    };
  }

  function nameOf(checkbox) {
    return checkbox.labels[0].textContent.trim();
  }

  function chip(picker, checkbox) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-primary rounded-pill country-picker-chip";
    button.dataset.countryChip = checkbox.value;
    button.setAttribute("aria-label", format(picker.root.dataset.removeLabel, { name: nameOf(checkbox) }));
    const name = document.createElement("span");
    name.textContent = nameOf(checkbox);
    const cross = document.createElement("span");
    cross.className = "bi bi-x ms-1";
    cross.setAttribute("aria-hidden", "true");
    button.append(name, cross);
    item.appendChild(button);
    return item;
  }

  function showChips(picker) {
    const chosen = picker.options
      .map(function (option) {
        return option.querySelector("input[type=checkbox]");
      })
      .filter(function (checkbox) {
        return checkbox.checked;
      });
    picker.chips.replaceChildren.apply(
      picker.chips,
      chosen.map(function (checkbox) {
        return chip(picker, checkbox);
      })
    );
    picker.chips.hidden = chosen.length === 0;
  }

  function visibleBoxes(picker) {
    return picker.options
      .filter(function (option) {
        return !option.hidden;
      })
      .map(function (option) {
        return option.querySelector("input[type=checkbox]");
      });
  }

  function narrow(picker) {
    const words = fold(picker.filter.value).split(" ").filter(Boolean);
    let shown = 0;
    picker.options.forEach(function (option) {
      if (!option.dataset.folded) option.dataset.folded = fold(option.dataset.search);
      const match = words.every(function (word) {
        return option.dataset.folded.indexOf(word) >= 0;
      });
      option.hidden = !match;
      if (match) shown += 1;
    });
    picker.groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-country-option]:not([hidden])");
    });
    picker.none.hidden = shown > 0;
    const count = new Intl.NumberFormat(LANGUAGE).format(shown);
    picker.status.textContent = words.length ? format(picker.root.dataset.shownLabel, { count: count }) : "";
  }

  function setUp(root) {
    if (root.dataset.countryReady) return;
    root.dataset.countryReady = "true";
    const picker = parts(root);
    root.querySelector("[data-country-tools]").hidden = false;
    showChips(picker);
  }

  function setUpAll(scope) {
    scope.querySelectorAll("[data-country-picker]").forEach(setUp);
  }

  function pickerOf(element) {
    const root = element.closest("[data-country-picker]");
    return root ? parts(root) : null;
  }

  document.addEventListener("input", function (event) {
    if (!(event.target instanceof Element) || !event.target.matches("[data-country-filter]")) return;
    narrow(pickerOf(event.target));
  });

  document.addEventListener("change", function (event) {
    const target = event.target;
    if (!(target instanceof Element) || !target.matches("[data-country-picker] [data-country-option] input")) return;
    const picker = pickerOf(target);
    showChips(picker);
    const label = target.checked ? picker.root.dataset.chosenLabel : picker.root.dataset.removedLabel;
    picker.status.textContent = format(label, { name: nameOf(target) });
  });

  document.addEventListener("keydown", function (event) {
    if (!(event.target instanceof Element) || !event.target.matches("[data-country-filter]")) return;
    const picker = pickerOf(event.target);
    const boxes = visibleBoxes(picker);
    switch (event.key) {
      case "Enter":
        event.preventDefault();
        if (boxes.length !== 1) return;
        if (!boxes[0].checked) {
          boxes[0].checked = true;
          boxes[0].dispatchEvent(new Event("change", { bubbles: true }));
        }
        picker.filter.value = "";
        narrow(picker);
        picker.status.textContent = format(picker.root.dataset.chosenLabel, { name: nameOf(boxes[0]) });
        break;
      case "ArrowDown":
        if (!boxes.length) return;
        event.preventDefault();
        boxes[0].focus();
        break;
      case "Escape":
        if (!picker.filter.value) return;
        event.preventDefault();
        picker.filter.value = "";
        narrow(picker);
        break;
    }
  });

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    const button = event.target.closest("[data-country-chip]");
    if (!button) return;
    const picker = pickerOf(button);
    const checkbox = picker.options
      .map(function (option) {
        return option.querySelector("input[type=checkbox]");
      })
      .find(function (box) {
        return box.value === button.dataset.countryChip;
      });
    const next = button.parentElement.nextElementSibling || button.parentElement.previousElementSibling;
    checkbox.checked = false;
    checkbox.dispatchEvent(new Event("change", { bubbles: true }));
    // Focus stays among the chips (the next one), else returns to the filter box.
    const follow = next && picker.root.querySelector('[data-country-chip="' + next.firstChild.dataset.countryChip + '"]');
    (follow || picker.filter).focus();
  });

  setUpAll(document);
  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) setUpAll(event.target);
  });
})();
