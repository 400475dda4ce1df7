// Small progressive enhancements; every page works without them.
document.addEventListener("change", (event) => {
  const box = event.target;
  // "Select all" boxes tick every row box of the same form (bulk assign).
  if (box.matches && box.matches("input[data-select-all]")) {
    const form = box.closest("form");
    if (form) {
      form.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach((row) => {
        row.checked = box.checked;
      });
    }
  }
});
