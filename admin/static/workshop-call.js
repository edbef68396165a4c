// The card-call screen: one card at a time; the facilitator puts it on a pile,
// starts a pile, parks it, goes back, undoes. Everything goes straight to the
// JSON API (stored at once); other screens follow by polling the same API.
// Keys: 1-9 (two digits for 10+) a pile by number, Enter the first suggestion,
// N new pile, P park, Backspace/Left back, Right skip, U or Ctrl+Z undo.
"use strict";
(function () {
  const root = document.getElementById("call");
  if (!root) return;
  const api = root.dataset.api;
  const csrf = root.dataset.csrf;
  // The page's own words (in the admin's language) are in data-msg-* attributes of the root.
  function words(name, values) {
    let text = root.dataset[name] || "";
    for (const [key, value] of Object.entries(values || {})) {
      text = text.split("{" + key + "}").join(String(value));
    }
    return text;
  }
  const el = (id) => document.getElementById(id);
  const card = el("card"), cardRef = el("card-ref"), cardText = el("card-text"), cardBox = el("card-box");
  const translation = el("card-translation"), done = el("call-done"), progress = el("call-progress");
  const pilesList = el("piles"), message = el("call-message");
  const newForm = el("new-pile"), newName = el("new-pile-name");
  let state = null, piles = [], suggestions = [], busy = false, digits = "", digitTimer = null;

  async function call(method, path, body) {
    const options = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRF-Token"] = csrf;
      options.body = JSON.stringify(body || {});
    }
    const answer = await fetch(api + path, options);
    if (answer.status === 401) { window.location.href = "/admin/login?next=" + encodeURIComponent(window.location.pathname); }
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(typeof data.detail === "string" ? data.detail : words("msgFailed", { status: answer.status }));
    return data;
  }

  function say(text) { message.textContent = text; }

  function drawCard() {
    document.querySelectorAll(".cat").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.category === state.category)));
    card.className = "big-card cat-" + state.category;
    card.style.backgroundColor = state.colour;
    card.style.color = state.ink;
    const counts = { called: state.called, total: state.total, parked: state.parked.length };
    progress.textContent = words(state.parked.length ? "msgProgressParked" : "msgProgress", counts);
    if (!state.current) {
      card.hidden = true; done.hidden = false; return;
    }
    card.hidden = false; done.hidden = true;
    cardRef.textContent = state.current.reference + (state.current.parked ? " " + words("msgParkedMark") : "");
    cardText.textContent = state.current.text;
    translation.textContent = state.current.translation || "";
    window.wtfcFit(cardText, cardBox);
  }

  function drawPiles() {
    pilesList.replaceChildren();
    const suggested = new Map(suggestions.map((s, i) => [s.pile_id, i + 1]));
    piles.forEach((pile) => {
      const item = document.createElement("li");
      const rank = suggested.get(pile.id);
      if (rank) item.className = "suggested";
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.pile = String(pile.id);
      button.dataset.number = String(pile.number);
      button.dataset.name = pile.name;
      if (rank) button.dataset.rank = String(rank);
      const on = state.current && state.current.pile_id === pile.id;
      button.setAttribute("aria-pressed", String(Boolean(on)));
      button.textContent = pile.number + ". " + pile.name + " (" + pile.count + ")";
      if (rank) {
        const mark = document.createElement("span");
        mark.className = "rank";
        mark.textContent = " · " + (rank === 1 ? words("msgSuggested") : words("msgSuggestion", { rank }));
        button.append(mark);
      }
      button.addEventListener("click", () => place(pile.id));
      item.append(button);
      pilesList.append(item);
    });
  }

  async function refresh() {
    // Fetch everything first and swap it in at once: a key pressed meanwhile acts on
    // what the screen shows (never on a half-refreshed list with no suggestions).
    const nextState = await call("GET", "/state");
    const nextPiles = await call("GET", "/piles?category=" + nextState.category);
    let nextSuggestions = [];
    if (nextState.current && nextPiles.length) {
      const found = await call("GET", "/cards/" + encodeURIComponent(nextState.current.reference) + "/suggestions");
      nextSuggestions = found.suggestions.filter((s) => s.score > 0);
    }
    state = nextState; piles = nextPiles; suggestions = nextSuggestions;
    drawCard();
    drawPiles();
  }

  // Every action and refresh runs in turn on one chain, so a key pressed while the
  // screen is still refreshing waits its turn instead of being lost.
  let chain = Promise.resolve(), pending = 0;
  function queue(job) {
    pending += 1;
    busy = true;
    root.dataset.busy = "1";
    chain = chain.then(job).catch((error) => say(error.message)).finally(() => {
      pending -= 1;
      if (!pending) { busy = false; root.dataset.busy = "0"; }
    });
  }

  function act(work, after) {
    queue(async () => { await work(); say(after || ""); await refresh(); });
  }

  function place(pileId) {
    if (!state || !state.current) return;
    const pile = piles.find((p) => p.id === pileId);
    const reference = state.current.reference;
    act(() => call("PUT", "/cards/" + encodeURIComponent(reference), { pile_id: pileId }),
      words("msgPlaced", { reference, pile: pile ? pile.name : words("msgThePile") }));
  }
  function park() {
    if (!state || !state.current) return;
    const reference = state.current.reference;
    act(() => call("PUT", "/cards/" + encodeURIComponent(reference), { parked: true }), words("msgParked", { reference }));
  }
  function step(direction) { act(() => call("PUT", "/state", { step: direction })); }
  function undo() { act(() => call("POST", "/undo"), words("msgUndone")); }
  function category(name) { act(() => call("PUT", "/state", { category: name })); }
  function openNew() {
    if (!state || !state.current) return;
    newForm.hidden = false; newName.value = ""; newName.focus();
  }
  function closeNew() { newForm.hidden = true; el("do-new").focus(); }

  newForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = newName.value.trim();
    if (!name || !state.current) return;
    const reference = state.current.reference;
    newName.blur(); // keys go to the card call again, not to the hidden field
    newForm.hidden = true;
    act(() => call("POST", "/piles", { category: state.category, name, reference }), words("msgNewPile", { name, reference }));
  });
  el("new-pile-cancel").addEventListener("click", closeNew);
  el("do-new").addEventListener("click", openNew);
  el("do-park").addEventListener("click", park);
  el("do-back").addEventListener("click", () => step("previous"));
  el("do-skip").addEventListener("click", () => step("next"));
  el("do-undo").addEventListener("click", undo);
  document.querySelectorAll(".cat").forEach((b) => b.addEventListener("click", () => {
    b.blur(); // so that Enter then takes a suggestion rather than pressing this button again
    category(b.dataset.category);
  }));

  function takeDigits() {
    const number = Number(digits);
    digits = "";
    const pile = piles.find((p) => p.number === number);
    if (pile) place(pile.id); else say(words("msgNoPile", { number }));
  }

  document.addEventListener("keydown", (event) => {
    if (!newForm.hidden) { if (event.key === "Escape") closeNew(); return; }
    const tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA") return;
    const key = event.key;
    if ((event.ctrlKey || event.metaKey) && key.toLowerCase() === "z") { event.preventDefault(); undo(); return; }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (/^[0-9]$/.test(key)) {
      event.preventDefault();
      digits += key;
      window.clearTimeout(digitTimer);
      const longest = String(piles.length).length;
      if (digits.length >= longest || Number(digits) * 10 > piles.length) takeDigits();
      else digitTimer = window.setTimeout(takeDigits, 700);
      return;
    }
    const lower = key.toLowerCase();
    if (key === "Enter" && tag !== "BUTTON" && suggestions.length) { event.preventDefault(); place(suggestions[0].pile_id); }
    else if (lower === "n") { event.preventDefault(); openNew(); }
    else if (lower === "p") { event.preventDefault(); park(); }
    else if (lower === "u") { event.preventDefault(); undo(); }
    else if (key === "Backspace" || key === "ArrowLeft") { event.preventDefault(); step("previous"); }
    else if (key === "ArrowRight") { event.preventDefault(); step("next"); }
  });

  window.addEventListener("resize", () => { if (state && state.current) window.wtfcFit(cardText, cardBox); });
  // Another device may move the card call on: follow it while nobody types here.
  window.setInterval(() => {
    if (busy || !newForm.hidden || document.hidden) return;
    queue(() => refresh().catch(() => {}));
  }, 5000);
  queue(refresh);
})();
