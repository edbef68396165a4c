// The export page: starts a long export in the background and shows how far it has got.
// Without this script the form is a plain GET that downloads the file directly.
// No inline scripts: the admin runs under a strict Content-Security-Policy.
"use strict";
(function () {
  const form = document.getElementById("export-form");
  if (!form || !window.fetch) return;
  const box = document.getElementById("export-status");
  const message = document.getElementById("export-message");
  const bar = document.getElementById("export-progress");
  const link = document.getElementById("export-download");
  const button = document.getElementById("export-start");
  const EVERY = 700;
  // The page's own words (in the admin's language) are in data-msg-* attributes of the form.
  function words(name, values) {
    let text = form.dataset[name] || "";
    for (const [key, value] of Object.entries(values || {})) {
      text = text.split("{" + key + "}").join(String(value));
    }
    return text;
  }

  function say(text) { message.textContent = text; }

  function finish() { button.disabled = false; }

  function showProgress(job) {
    bar.max = Math.max(job.total, 1);
    bar.value = job.status === "done" ? bar.max : Math.min(job.done, bar.max);
    bar.textContent = job.percent + "%";
    if (job.status === "running") {
      say(job.total
        ? words("msgProgress", { done: job.done, total: job.total, percent: job.percent })
        : words("msgPreparing"));
    }
  }

  async function poll(url) {
    let answer;
    try {
      answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    } catch (error) {
      window.setTimeout(() => poll(url), EVERY * 3); // offline for a moment
      return;
    }
    if (answer.status === 401) { window.location.reload(); return; }
    if (!answer.ok) { say(words("msgGone")); finish(); return; }
    const job = await answer.json();
    showProgress(job);
    if (job.status === "done") {
      say(words("msgReady", { total: job.total }));
      link.href = job.download_url;
      link.textContent = words("msgDownload", { filename: job.filename });
      link.hidden = false;
      link.focus();
      finish();
    } else if (job.status === "failed") {
      say(job.error || words("msgFailed"));
      finish();
    } else {
      window.setTimeout(() => poll(url), EVERY);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new URLSearchParams(new FormData(form));
    body.set("csrf_token", form.dataset.csrf);
    button.disabled = true;
    link.hidden = true;
    box.hidden = false;
    bar.value = 0;
    say(words("msgPreparing"));
    let answer;
    try {
      answer = await fetch(form.dataset.jobs, {
        method: "POST",
        body,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      form.submit(); // no connection to start a job: try the plain download instead
      return;
    }
    if (answer.status === 401) { window.location.reload(); return; }
    if (!answer.ok) {
      let detail = words("msgNotStarted");
      try { detail = (await answer.json()).detail || detail; } catch (error) { /* not JSON */ }
      say(detail);
      finish();
      return;
    }
    const job = await answer.json();
    showProgress(job);
    poll(job.status_url);
  });

  link.addEventListener("click", () => {
    // The file is deleted once fetched: a second click would find nothing.
    window.setTimeout(() => { link.hidden = true; say(words("msgDownloaded")); }, 500);
  });
})();
