// Text as large as fits: shrinks an element's font size until it fits its box.
// Exposed as window.wtfcFit(element, box) for the card-call script; CSS clamp()
// gives the starting size, this only ever makes it smaller.
"use strict";
window.wtfcFit = function (text, box) {
  text.style.fontSize = "";
  let size = parseFloat(window.getComputedStyle(text).fontSize);
  const floor = 16;
  while (size > floor && (text.scrollHeight > box.clientHeight || text.scrollWidth > box.clientWidth)) {
    size = Math.max(floor, size * 0.92);
    text.style.fontSize = size + "px";
  }
};
