// Keeps the progress page current: polls the JSON endpoint and swaps in the new section.
// Pauses while the tab is hidden; stops if the session has ended (401).
"use strict";
(function () {
  const box = document.getElementById("progress");
  if (!box) return;
  const url = box.dataset.url;
  const every = Math.max(Number(box.dataset.every) || 15, 5) * 1000;
  let timer = null;

  async function refresh() {
    try {
      const answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (answer.status === 401) { window.location.reload(); return; }
      if (!answer.ok) return;
      const data = await answer.json();
      box.innerHTML = data.html; // rendered and escaped by the server's templates
      box.dataset.completed = String(data.progress.completed);
    } catch (error) {
      // offline for a moment: try again at the next tick
    }
  }

  function start() { if (!timer) timer = window.setInterval(refresh, every); }
  function stop() { if (timer) { window.clearInterval(timer); timer = null; } }
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) { stop(); } else { refresh(); start(); }
  });
  box.addEventListener("refresh", refresh);
  start();
})();
