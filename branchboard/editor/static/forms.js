// The data forms' search box over a long choice (a 班组, a 小项): typing part
// of a name keeps only the choices that contain it, and picks the first.
// Without this script the choice is a plain drop-down, which still works.
(function () {
  "use strict";

  function filterChoices(box, select) {
    var words = box.value.trim().toLowerCase();
    var first = null;
    for (var i = 0; i < select.options.length; i++) {
      var option = select.options[i];
      var fits = !words || option.text.toLowerCase().indexOf(words) >= 0;
      option.hidden = !fits && option.value !== "";
      if (fits && option.value && first === null) {
        first = option;
      }
    }
    if (words && first !== null && (select.selectedIndex < 0 || select.options[select.selectedIndex].hidden
        || !select.value)) {
      select.value = first.value;
    }
  }

  function setUp(box) {
    var select = document.getElementById(box.getAttribute("data-filter-for"));
    if (!select) {
      return;
    }
    box.hidden = false;
    box.addEventListener("input", function () { filterChoices(box, select); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("input.filter[data-filter-for]");
    for (var i = 0; i < boxes.length; i++) {
      setUp(boxes[i]);
    }
  });
})();
