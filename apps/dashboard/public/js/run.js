// The run page's live progress: polls the run until it ends, then reloads the page for the
// issues and the final counts (and when a queued run starts, for its progress and counts). Values go into the page as text only. A signed-out session or a
// run that is gone stops the polling with a message; a dashboard that cannot be reached (or
// answers 5xx) is asked again later and later.
(() => {
  const live = document.getElementById("run-live");
  if (!live || live.dataset.finished === "true") return;
  const runId = live.dataset.runId;
  const POLL_MS = 1000;
  const MAX_WAIT_MS = 30_000;
  let failures = 0;

  const setText = (selector, text) => {
    const node = live.querySelector(selector);
    if (node) node.textContent = text;
  };

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  function show(run) {
    const badge = live.querySelector('[data-field="status"] .badge');
    if (badge) {
      badge.className = `badge outcome-${run.outcome.kind}`;
      badge.dataset.outcome = run.outcome.kind;
      const icon = badge.querySelector(".badge-icon");
      const text = badge.querySelector(".badge-label");
      if (icon) icon.textContent = run.outcome.icon;
      if (text) text.textContent = run.outcome.label;
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

  /** A message at the top of the live section, replacing the one before. */
  function say(kind, children) {
    document.getElementById("run-poll-message")?.remove();
    if (!children) return;
    const box =
      kind === "error"
        ? el("div", { id: "run-poll-message", class: "alert alert-error", role: "alert" }, children)
        : el("p", { id: "run-poll-message", class: "muted", role: "status" }, children);
    live.querySelector(".run-status")?.before(box);
  }

  /** Asking again would get the same answer: the page stops updating and says why. */
  function stop(status) {
    if (status === 401 || status === 403) {
      const here = window.location.pathname + window.location.search;
      say("error", [
        "Your session has ended, so this page no longer updates. ",
        el("a", { href: `/sign-in?next=${encodeURIComponent(here)}`, text: "Sign in again" }),
        " to follow the run.",
      ]);
    } else {
      say("error", [
        "This run was not found: it may have been deleted with its import. ",
        el("a", { href: "/", text: "Back to Data Imports" }),
      ]);
    }
  }

  function retryLater(reason) {
    failures++;
    const wait = Math.min(POLL_MS * 2 ** failures, MAX_WAIT_MS);
    say("notice", [`${reason} Trying again in ${Math.round(wait / 1000)} s.`]);
    setTimeout(poll, wait);
  }

  async function poll() {
    let response;
    try {
      response = await fetch(`/runs/${encodeURIComponent(runId)}/status.json`, {
        headers: { accept: "application/json" },
        credentials: "same-origin",
      });
    } catch {
      retryLater("The dashboard could not be reached.");
      return;
    }
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      stop(response.status);
      return;
    }
    let run = null;
    if (response.ok) {
      try {
        run = await response.json();
      } catch {
        run = null;
      }
    }
    if (!run) {
      retryLater(`The dashboard answered ${response.status}.`);
      return;
    }
    failures = 0;
    say();
    show(run);
    if (run.finished || run.status !== live.dataset.status) {
      // The finished page has the issues, the error and the run's actions; a run that started
      // has its progress bar and counts.
      window.location.reload();
      return;
    }
    setTimeout(poll, POLL_MS);
  }

  setTimeout(poll, POLL_MS);
})();
