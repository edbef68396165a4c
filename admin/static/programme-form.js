// Highlights the method's sample guidance for the level chosen in the programme form.
"use strict";
(function () {
  const select = document.getElementById("level");
  if (!select) return;
  function highlight() {
    document.querySelectorAll("#level-guidance [data-level]").forEach((item) => {
      item.classList.toggle("current", item.dataset.level === select.value);
    });
  }
  select.addEventListener("change", highlight);
  highlight();
})();
