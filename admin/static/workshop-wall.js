// The wall: the current category's piles, live. Polls the workshop API (as the
// progress page polls its JSON) and redraws; shows votes and the QR code for the
// "not working" wall while voting is open.
"use strict";
(function () {
  const root = document.getElementById("wall");
  if (!root) return;
  const api = root.dataset.api;
  const every = Math.max(Number(root.dataset.every) || 3, 1) * 1000;
  const list = document.getElementById("wall-piles");
  const progress = document.getElementById("wall-progress");
  const vote = document.getElementById("wall-vote");
  // The page's own words (in the admin's language) are in data-msg-* attributes of the root.
  function words(name, values) {
    let text = root.dataset[name] || "";
    for (const [key, value] of Object.entries(values || {})) {
      text = text.split("{" + key + "}").join(String(value));
    }
    return text;
  }
  const names = { working: words("msgWorking"), not_working: words("msgNotWorking"), future: words("msgFuture") };
  let last = "";

  async function get(path) {
    const answer = await fetch(api + path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (answer.status === 401) { window.location.reload(); throw new Error("signed out"); }
    if (!answer.ok) throw new Error(String(answer.status));
    return answer.json();
  }

  function draw(state, piles) {
    progress.textContent = words("msgProgress", { category: names[state.category], called: state.called, total: state.total });
    const showVotes = state.category === "not_working" && state.voting_open;
    vote.hidden = !showVotes;
    list.replaceChildren();
    if (!piles.length) {
      const empty = document.createElement("li");
      empty.className = "wall-empty";
      empty.textContent = words("msgNoPiles");
      list.append(empty);
    }
    piles.forEach((pile) => {
      const item = document.createElement("li");
      item.className = "wall-pile" + (pile.carried_forward ? " forward" : "");
      item.style.borderColor = state.colour;
      const title = document.createElement("h2");
      title.textContent = pile.number + ". " + pile.name;
      const count = document.createElement("p");
      count.className = "count";
      count.textContent = pile.count === 1 ? words("msgOneCard") : words("msgCards", { count: pile.count });
      const cards = document.createElement("ul");
      pile.cards.forEach((c) => {
        const line = document.createElement("li");
        line.textContent = c.reference + " " + c.text;
        line.translate = false; // a person's own words, in their language
        line.dir = "auto";
        cards.append(line);
      });
      item.append(title, count, cards);
      if (state.category === "not_working" && (state.voting_open || pile.votes || pile.dots)) {
        const votes = document.createElement("p");
        votes.className = "votes";
        const total = pile.votes + pile.dots;
        votes.textContent = total === 1 ? words("msgOneVote") : words("msgVotes", { count: total });
        item.append(votes);
      }
      list.append(item);
    });
  }

  async function refresh() {
    try {
      const state = await get("/state");
      const piles = await get("/piles?category=" + state.category);
      const key = JSON.stringify([state, piles]);
      if (key !== last) { last = key; draw(state, piles); }
    } catch (error) {
      // offline for a moment: the next tick tries again
    }
  }
  let timer = window.setInterval(refresh, every);
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) { window.clearInterval(timer); timer = null; }
    else if (!timer) { refresh(); timer = window.setInterval(refresh, every); }
  });
  refresh();
})();
