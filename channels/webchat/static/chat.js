// The web chat page: sends each message to /chat/messages and shows the replies.
// No inline scripts (the pages run under a strict Content-Security-Policy).
"use strict";
(function () {
  const main = document.getElementById("chat");
  const code = main.dataset.code;
  const codeForm = document.getElementById("code-form");
  if (codeForm) {
    codeForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = document.getElementById("code-input").value.trim();
      if (value) window.location.search = "?code=" + encodeURIComponent(value);
    });
  }
  function startOver() {
    sessionStorage.removeItem("wtfc-session-" + code);
    sessionStorage.removeItem("wtfc-history-" + code);
    window.location.reload();
  }
  document.getElementById("next-person").addEventListener("click", (event) => {
    if (!window.confirm(event.target.dataset.confirm)) return;
    startOver();
  });
  // On the kiosk, a screen left alone starts over by itself, so the next person never
  // reads what the last one wrote (everything they sent is already stored).
  const idleSeconds = Number(main.dataset.idleSeconds || 0);
  if (code && idleSeconds > 0) {
    let timer = null;
    const restartTimer = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        // Only once someone has written something: an untouched welcome stays put.
        const said = JSON.parse(sessionStorage.getItem("wtfc-history-" + code) || "[]");
        if (said.some((entry) => entry.who === "me")) startOver();
        else restartTimer();
      }, idleSeconds * 1000);
    };
    ["keydown", "pointerdown", "touchstart"].forEach((name) =>
      document.addEventListener(name, restartTimer, { passive: true }));
    restartTimer();
  }
  if (!code) return;

  const list = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const sessionKey = "wtfc-session-" + code;
  const historyKey = "wtfc-history-" + code;
  let session = sessionStorage.getItem(sessionKey);
  const history = JSON.parse(sessionStorage.getItem(historyKey) || "[]");
  let picker = null;

  // crypto.randomUUID needs https; a kiosk on the centre's network may be plain http.
  function uuid() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function remember(entry) {
    history.push(entry);
    sessionStorage.setItem(historyKey, JSON.stringify(history));
  }

  function show(who, text) {
    const item = document.createElement("li");
    item.className = who;
    item.textContent = text;
    list.appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function drawButtons(item, reply) {
    if (!reply.buttons.length) return;
    const row = document.createElement("div");
    row.className = "choices";
    reply.buttons.forEach((button) => {
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.label;
      const tick = button.value.startsWith("TICK ") ? Number(button.value.slice(5)) : null;
      if (tick !== null) element.setAttribute("aria-pressed", String(reply.ticked.includes(tick)));
      element.addEventListener("click", () => send(button.value, "button", reply.turn, button.label));
      row.appendChild(element);
    });
    item.appendChild(row);
  }

  function showReply(reply) {
    if (reply.edit && picker) {
      picker.textContent = reply.text;
      drawButtons(picker, reply);
      return;
    }
    const item = show("bot", reply.text);
    drawButtons(item, reply);
    if (reply.buttons.some((b) => b.value.startsWith("TICK "))) picker = item;
  }

  // Buttons of earlier replies would answer a question already answered (the server
  // ignores such taps): grey them out once the person has moved on.
  function retireButtons() {
    list.querySelectorAll(".choices button").forEach((button) => {
      button.disabled = true;
    });
  }

  async function send(text, kind, turn, label) {
    if (kind !== "join" && !(kind === "button" && text.startsWith("TICK "))) {
      retireButtons();
      show("me", label || text);
      remember({ who: "me", text: label || text });
    }
    const body = { code, session, message_id: uuid(), text, kind, turn };
    if (main.dataset.kioskKey) body.kiosk_key = main.dataset.kioskKey;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const answer = await fetch("/chat/messages", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        if (answer.status === 429) {
          // Too many conversations or messages just now: say so kindly, do not retry.
          // A refused start is forgotten, so reloading later starts the conversation.
          if (kind === "join") sessionStorage.removeItem(sessionKey);
          show("bot", (await answer.json()).detail);
          return;
        }
        if (!answer.ok) throw new Error(String(answer.status));
        const data = await answer.json();
        document.documentElement.dir = data.direction;
        data.replies.forEach((reply) => {
          showReply(reply);
          if (!reply.edit) remember({ who: "bot", text: reply.text });
        });
        // Buttons make a reply taller after it was scrolled to: bring its end into view.
        if (list.lastElementChild) list.lastElementChild.scrollIntoView({ block: "end" });
        return;
      } catch (error) {
        await new Promise((resolve) => setTimeout(resolve, 800 * (attempt + 1)));
      }
    }
    show("bot", "…");
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(text, "text", null);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  if (session) {
    history.forEach((entry) => show(entry.who, entry.text));
  } else {
    session = uuid();
    sessionStorage.setItem(sessionKey, session);
    send(code, "join", null);
  }
  input.focus();
})();
