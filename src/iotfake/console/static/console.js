// The console's script: its changes as JSON POSTs with the page's token, and the journal's live tail.
(function () {
  const base = document.body.dataset.base;
  const token = document.body.dataset.token;
  const message = document.getElementById("message");

  function say(text, error) {
    message.textContent = text;
    message.className = error ? "error" : "";
  }

  async function act(body) {
    const answer = await fetch(base + "/console/action", {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-Iotfake-Console": token},
      body: JSON.stringify(body),
    });
    const data = await answer.json();
    if (!answer.ok) { say(data.error, true); return false; }
    location.reload();
    return true;
  }

  document.querySelectorAll("button[data-action]").forEach((button) => {
    button.addEventListener("click", () => {
      if (button.dataset.confirm && !confirm(button.dataset.confirm)) return;
      act({action: button.dataset.action, id: button.dataset.id});
    });
  });
  const forms = {
    "add-fault": (form) => {
      let rule;
      try { rule = JSON.parse(form.rule.value); } catch (e) { say("the rule is not JSON: " + e.message, true); return null; }
      return {action: "add_fault", rule};
    },
    "advance": (form) => ({action: "advance", seconds: Number(form.seconds.value)}),
    "load": (form) => ({action: "load", scenario: form.scenario.value}),
  };
  Object.entries(forms).forEach(([id, build]) => {
    const form = document.getElementById(id);
    if (!form) return;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = build(form);
      if (body) act(body);
    });
  });

  const journal = document.querySelector("#journal tbody");
  const filters = document.getElementById("journal-filters");
  let drawn = null;
  async function tail() {
    const query = new URLSearchParams({limit: "50"});
    new FormData(filters).forEach((value, key) => { if (value) query.set(key, value); });
    const answer = await fetch(base + "/journal?" + query);
    if (!answer.ok) return;
    const entries = (await answer.json()).entries.reverse();
    // redraw only when something changed: an entry opened to read its fields stays open
    const shown = query + " " + entries.map((e) => e.seq).join(",");
    if (shown === drawn) return;
    drawn = shown;
    journal.replaceChildren(...entries.map((e) => {
      const row = document.createElement("tr");
      row.className = e.rule ? "fault" : (e.status >= 400 ? "error" : "");
      const cells = [e.seq, e.provider, e.operation, e.tenant || "", e.status ?? "", e.code ?? "", e.rule || ""];
      cells.forEach((value) => { const cell = document.createElement("td"); cell.textContent = value; row.appendChild(cell); });
      const details = document.createElement("td");
      details.innerHTML = "<details><summary>fields</summary><pre></pre></details>";
      details.querySelector("pre").textContent = JSON.stringify(e.params, null, 1);
      row.appendChild(details);
      return row;
    }));
  }
  if (journal) {
    tail();
    setInterval(tail, 1000);
    filters.addEventListener("input", tail);
  }
})();
