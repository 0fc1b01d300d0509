// The run page's live progress: polls the run until it ends, then reloads the page for the
// issues and the final counts. Values go into the page as text only.
(() => {
  const live = document.getElementById("run-live");
  if (!live || live.dataset.finished === "true") return;
  const runId = live.dataset.runId;
  const POLL_MS = 1000;

  const setText = (selector, text) => {
    const node = live.querySelector(selector);
    if (node) node.textContent = text;
  };

  function show(run) {
    const badge = live.querySelector('[data-field="status"] .badge');
    if (badge) {
      badge.textContent = run.statusLabel;
      badge.className = `badge status-${run.status}`;
    }
    setText('[data-field="duration"]', run.durationText);
    setText('[data-field="progress"]', run.progressText);
    const bar = document.getElementById("run-progress");
    if (bar && run.progress.bytesTotal > 0) {
      bar.max = run.progress.bytesTotal;
      bar.value = run.progress.bytesRead;
    }
    for (const node of live.querySelectorAll("[data-stat]")) {
      const value = run.stats[node.dataset.stat];
      if (typeof value === "number") node.textContent = value.toLocaleString("en-US");
    }
  }

  async function poll() {
    try {
      const response = await fetch(`/runs/${encodeURIComponent(runId)}/status.json`, {
        headers: { accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const run = await response.json();
        show(run);
        if (run.finished) {
          // The finished page has the issues table, the error and the dry run's actions.
          window.location.reload();
          return;
        }
      }
    } catch {
      // A dropped connection: the next poll tries again.
    }
    setTimeout(poll, POLL_MS);
  }

  setTimeout(poll, POLL_MS);
})();
