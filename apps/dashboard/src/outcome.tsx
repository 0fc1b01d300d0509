import type { RunStats } from "@cdp/core";
import { firstSentence, formatCount, formatRelative, formatTime, plural } from "./labels";

/** How a run went, as every page shows it: never green when items were invalid. */
export type OutcomeKind = "queued" | "running" | "completed" | "issues" | "failed" | "cancelled";

export interface Outcome {
  kind: OutcomeKind;
  /** "Completed", "Completed with 3 invalid items", "Failed"... */
  label: string;
  /** A failed run's first sentence of its error; why a run was cancelled when it says. */
  detail: string | null;
}

/** What a page knows of a run: a run, or an import's last run. */
export interface RunLike {
  status: string;
  stats?: Pick<RunStats, "itemsInvalid">;
  error?: { code: string; message: string } | null;
}

const ACTIVE = new Set(["queued", "in_progress"]);
export const isActive = (status: string) => ACTIVE.has(status);

export function runOutcome(run: RunLike): Outcome {
  switch (run.status) {
    case "queued":
      return { kind: "queued", label: "Queued", detail: null };
    case "in_progress":
      return { kind: "running", label: "Running", detail: null };
    case "completed": {
      const invalid = run.stats?.itemsInvalid ?? 0;
      return invalid > 0
        ? { kind: "issues", label: `Completed with ${plural(invalid, "invalid item")}`, detail: null }
        : { kind: "completed", label: "Completed", detail: null };
    }
    case "failed":
      return { kind: "failed", label: "Failed", detail: run.error ? firstSentence(run.error.message) : null };
    case "cancelled":
      return {
        kind: "cancelled",
        label: "Cancelled",
        detail: run.error ? firstSentence(run.error.message) : null,
      };
    default:
      return { kind: "queued", label: run.status, detail: null };
  }
}

/** The outcome as a badge; its symbol tells the kinds apart without colour. */
export function OutcomeBadge(props: { outcome: Outcome }) {
  return (
    <span class={`badge outcome-${props.outcome.kind}`} data-outcome={props.outcome.kind}>
      <span class="badge-icon" aria-hidden="true">
        {OUTCOME_ICONS[props.outcome.kind]}
      </span>
      <span class="badge-label">{props.outcome.label}</span>
    </span>
  );
}

export const OUTCOME_ICONS: Record<OutcomeKind, string> = {
  queued: "○",
  running: "↻",
  completed: "✓",
  issues: "!",
  failed: "✕",
  cancelled: "–",
};

/** Marks a dry run wherever a run is shown. */
export function DryRunTag() {
  return (
    <span class="tag tag-dry" title="Nothing was written: the counts show what a real run would do">
      Dry run
    </span>
  );
}

/** "3 hours ago", with the exact time in UTC on hover and for machines. */
export function RelativeTime(props: { iso: string; now: Date }) {
  return (
    <time datetime={props.iso} title={formatTime(props.iso)}>
      {formatRelative(props.iso, props.now)}
    </time>
  );
}

/**
 * Whether a run's counts say anything: a finished run that read nothing (failed, or cancelled
 * before it started reading) and a queued run make no claim about items.
 */
export function countsShown(run: {
  status: string;
  stats?: Pick<RunStats, "itemsRead" | "rowsRead">;
}): boolean {
  if (run.status === "completed" || run.status === "in_progress") return true;
  if (run.status === "queued") return false;
  return (run.stats?.itemsRead ?? 0) > 0 || (run.stats?.rowsRead ?? 0) > 0;
}

/** "14 added · 0 updated · 0 unchanged · 1 invalid", each count named. */
export function RunCounts(props: { stats: RunStats }) {
  const { stats } = props;
  const parts: [string, number][] = [
    ["added", stats.added],
    ["updated", stats.updated],
    ["unchanged", stats.unchanged],
    ["invalid", stats.itemsInvalid],
  ];
  return (
    <span class="counts">
      {parts.map(([name, value]) => (
        <span class={`count count-${name}${name === "invalid" && value > 0 ? " count-bad" : ""}`}>
          <strong>{formatCount(value)}</strong> {name}
        </span>
      ))}
    </span>
  );
}
