// Runs still going, in the list of imports and on an import's page: their status, progress and
// counts follow the run until it ends. Each cell marked data-live-run polls its run; a run that
// is gone or a session that ended stops it, and a dashboard that fails is asked less and less
// often. Values go into the page as text only.
(() => {
  const POLL_MS = 2000;
  const MAX_WAIT_MS = 30_000;
  // Enough to follow the runs on one screen without flooding the dashboard.
  const MAX_FOLLOWED = 10;
  const COUNTS = [
    ["added", "added"],
    ["updated", "updated"],
    ["unchanged", "unchanged"],
    ["itemsInvalid", "invalid"],
  ];

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  /** The cell's part `name` (progress, counts, detail): made after the badge if missing, or removed. */
  function part(cell, name, children) {
    let node = cell.querySelector(`[data-live="${name}"]`);
    if (!children) {
      node?.remove();
      return;
    }
    if (!node) {
      node = el("span", { class: "sub", "data-live": name });
      const after = cell.querySelector(`[data-live="${name === "counts" ? "progress" : "detail"}"]`);
      (after ?? cell.querySelector(".badge-link, .badge"))?.after(node);
    }
    node.replaceChildren(...children);
  }

  function show(cell, run) {
    const badge = cell.querySelector(".badge");
    if (badge) {
      badge.className = `badge outcome-${run.outcome.kind}`;
      badge.dataset.outcome = run.outcome.kind;
      const icon = badge.querySelector(".badge-icon");
      const text = badge.querySelector(".badge-label");
      if (icon) icon.textContent = run.outcome.icon;
      if (text) text.textContent = run.outcome.label;
    }
    part(cell, "detail", run.outcome.detail ? [run.outcome.detail] : null);
    part(cell, "progress", run.finished ? null : [run.progressText]);
    if (cell.querySelector('[data-live="counts"]') || run.countsShown) {
      part(
        cell,
        "counts",
        run.countsShown
          ? [
              el(
                "span",
                { class: "counts" },
                COUNTS.map(([key, name]) =>
                  el(
                    "span",
                    {
                      class: `count count-${name}${name === "invalid" && run.stats[key] > 0 ? " count-bad" : ""}`,
                    },
                    [el("strong", { text: run.stats[key].toLocaleString("en-US") }), ` ${name}`],
                  ),
                ),
              ),
            ]
          : null,
      );
    }
  }

  function follow(cell) {
    const runId = cell.dataset.liveRun;
    let failures = 0;
    async function poll() {
      let response;
      try {
        response = await fetch(`/runs/${encodeURIComponent(runId)}/status.json`, {
          headers: { accept: "application/json" },
          credentials: "same-origin",
        });
      } catch {
        response = null;
      }
      // Signed out or gone: asking again would get the same answer.
      if (response && [401, 403, 404].includes(response.status)) return;
      let run = null;
      if (response?.ok) run = await response.json().catch(() => null);
      if (!run) {
        failures++;
        setTimeout(poll, Math.min(POLL_MS * 2 ** failures, MAX_WAIT_MS));
        return;
      }
      failures = 0;
      show(cell, run);
      if (run.finished) {
        delete cell.dataset.liveRun;
        return;
      }
      setTimeout(poll, POLL_MS);
    }
    setTimeout(poll, POLL_MS);
  }

  const cells = [...document.querySelectorAll("[data-live-run]")];
  for (const cell of cells.slice(0, MAX_FOLLOWED)) follow(cell);
})();
