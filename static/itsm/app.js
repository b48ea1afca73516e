// Keyboard use of the shell: "/" focuses search, "c" creates, "j"/"k" move in lists, Enter opens.
(function () {
  "use strict";
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }
  function rows() {
    return Array.from(document.querySelectorAll("[data-keyboard-list] tbody tr[data-href]"));
  }
  function move(step) {
    const all = rows();
    if (!all.length) return;
    let index = all.findIndex((row) => row.classList.contains("is-current"));
    if (index >= 0) all[index].classList.remove("is-current");
    index = Math.min(all.length - 1, Math.max(0, index + step));
    all[index].classList.add("is-current");
    all[index].scrollIntoView({ block: "nearest" });
    const link = all[index].querySelector("a");
    if (link) link.focus();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/") {
      const search = document.querySelector("[data-shortcut=search]");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (event.key === "c") {
      const create = document.querySelector("[data-shortcut=create]");
      if (create) { event.preventDefault(); create.click(); }
    } else if (event.key === "j") {
      move(1);
    } else if (event.key === "k") {
      move(-1);
    }
  });
  // "Save current filter" saves what the list shows now, also after htmx changed the filters.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-saved-filter-form]");
    if (form && form.elements.query) form.elements.query.value = window.location.search.replace(/^\?/, "");
  });
  document.addEventListener("click", function (event) {
    const row = event.target.closest("[data-keyboard-list] tbody tr[data-href]");
    if (row && !event.target.closest("a, button, input")) window.location = row.dataset.href;
  });
  const root = document.documentElement;
  if (root.dataset.bsTheme === "auto") {
    const dark = window.matchMedia("(prefers-color-scheme: dark)");
    const apply = () => root.setAttribute("data-bs-theme", dark.matches ? "dark" : "light");
    apply();
    dark.addEventListener("change", apply);
  }
})();
