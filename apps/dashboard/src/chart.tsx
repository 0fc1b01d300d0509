import type { RunView } from "./api";
import { formatCount, formatTime, plural } from "./labels";
import { OUTCOME_ICONS, runOutcome } from "./outcome";

/** How many runs the chart of an import shows. */
export const CHART_RUNS = 30;
/** Bars are never wider than with this many runs: a few runs are not drawn as slabs. */
const MIN_SLOTS = 12;

/** The counts stacked in each bar, bottom up; each has a pattern, so the chart reads without colour. */
const SEGMENTS = [
  { key: "added", label: "Added", pattern: "chart-added" },
  { key: "updated", label: "Updated", pattern: "chart-updated" },
  { key: "unchanged", label: "Unchanged", pattern: "chart-unchanged" },
  { key: "invalid", label: "Invalid", pattern: "chart-invalid" },
] as const;

type SegmentKey = (typeof SEGMENTS)[number]["key"];

const PLOT_TOP = 10;
const PLOT_HEIGHT = 180;
const PLOT_BOTTOM = PLOT_TOP + PLOT_HEIGHT;
const CHART_HEIGHT = PLOT_BOTTOM + 26;

const countsOf = (run: RunView): Record<SegmentKey, number> => ({
  added: run.stats.added,
  updated: run.stats.updated,
  unchanged: run.stats.unchanged,
  invalid: run.stats.itemsInvalid,
});

/** 1, 2, 2.5, 5 times a power of ten: the top of the scale, at least `value`. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** The mark under a bar: a failed, cancelled, running or dry run, told apart by symbol. */
function markOf(run: RunView): { symbol: string; kind: string } | null {
  const outcome = runOutcome(run);
  if (outcome.kind === "failed" || outcome.kind === "cancelled" || outcome.kind === "running")
    return { symbol: OUTCOME_ICONS[outcome.kind], kind: outcome.kind };
  if (outcome.kind === "queued") return { symbol: OUTCOME_ICONS.queued, kind: "queued" };
  return run.dryRun ? { symbol: "D", kind: "dry" } : null;
}

function Patterns() {
  return (
    <defs>
      <pattern id="chart-added" width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#1a7f43" />
      </pattern>
      <pattern
        id="chart-updated"
        width="6"
        height="6"
        patternUnits="userSpaceOnUse"
        patternTransform="rotate(45)"
      >
        <rect width="6" height="6" fill="#2456d8" />
        <rect width="2" height="6" fill="#b8cbf7" />
      </pattern>
      <pattern id="chart-unchanged" width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#c9ced8" />
        <circle cx="3" cy="3" r="1.3" fill="#4d5566" />
      </pattern>
      <pattern id="chart-invalid" width="6" height="6" patternUnits="userSpaceOnUse">
        <rect width="6" height="6" fill="#d98a00" />
        <path d="M0 0L6 6M6 0L0 6" stroke="#5c3b00" stroke-width="1.2" />
      </pattern>
    </defs>
  );
}

/** A small square of a segment's pattern, for the legend. */
function Swatch(props: { pattern: string }) {
  return (
    <svg class="swatch" width="14" height="14" aria-hidden="true" focusable="false">
      <rect width="14" height="14" fill={`url(#${props.pattern})`} stroke="#5b6576" stroke-width="1" />
    </svg>
  );
}

/** Words for screen readers: what the chart shows, in numbers. */
export function chartSummary(runs: RunView[]): string {
  const kinds = new Map<string, number>();
  for (const run of runs) {
    const { kind } = runOutcome(run);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const names: [string, string][] = [
    ["completed", "completed"],
    ["issues", "completed with invalid items"],
    ["failed", "failed"],
    ["cancelled", "cancelled"],
    ["running", "running"],
    ["queued", "queued"],
  ];
  const parts = names.flatMap(([kind, name]) => (kinds.get(kind) ? [`${kinds.get(kind)} ${name}`] : []));
  const dry = runs.filter((r) => r.dryRun).length;
  return `Items of the last ${plural(runs.length, "run")}, oldest to newest: ${parts.join(", ")}${
    dry ? ` (${dry} of them dry runs)` : ""
  }. Each bar stacks the items added, updated, unchanged and invalid. The run history below lists each run's counts.`;
}

/**
 * The last runs of an import as stacked bars (added, updated, unchanged, invalid), drawn on the
 * server. The newest run is on the right. Bars are placed in percentages, so the chart fills any
 * width while its text keeps its size; failed, cancelled and dry runs are marked under their bar.
 */
export function RunsChart(props: { runs: RunView[] }) {
  const runs = props.runs.slice(0, CHART_RUNS).reverse();
  const max = niceCeiling(
    Math.max(...runs.map((run) => Object.values(countsOf(run)).reduce((a, b) => a + b, 0))),
  );
  const slots = Math.max(MIN_SLOTS, runs.length);
  const slot = 100 / slots;
  const first = slots - runs.length;
  const oldest = runs[0];
  const newest = runs.at(-1);
  return (
    <figure class="chart" aria-labelledby="chart-heading">
      <figcaption class="chart-caption">
        <h2 id="chart-heading">{runs.length === 1 ? "The last run" : `The last ${runs.length} runs`}</h2>
        <ul class="chart-legend" aria-label="Legend">
          {SEGMENTS.map((segment) => (
            <li>
              <Swatch pattern={segment.pattern} /> {segment.label}
            </li>
          ))}
          <li>
            <span class="mark mark-failed" aria-hidden="true">
              {OUTCOME_ICONS.failed}
            </span>{" "}
            Failed
          </li>
          <li>
            <span class="mark mark-cancelled" aria-hidden="true">
              {OUTCOME_ICONS.cancelled}
            </span>{" "}
            Cancelled
          </li>
          <li>
            <span class="mark mark-dry" aria-hidden="true">
              D
            </span>{" "}
            Dry run
          </li>
        </ul>
      </figcaption>
      <div class="chart-body">
        <div class="chart-axis" aria-hidden="true">
          <span>{formatCount(max)}</span>
          <span>{formatCount(max / 2)}</span>
          <span>0</span>
        </div>
        <svg
          class="chart-svg"
          width="100%"
          height={CHART_HEIGHT}
          role="img"
          aria-label={chartSummary(runs)}
          focusable="false"
        >
          <Patterns />
          {[PLOT_TOP, PLOT_TOP + PLOT_HEIGHT / 2, PLOT_BOTTOM].map((y) => (
            <line
              x1="0"
              x2="100%"
              y1={y}
              y2={y}
              stroke={y === PLOT_BOTTOM ? "#5b6576" : "#d9dee7"}
              stroke-width="1"
            />
          ))}
          {runs.map((run, i) => {
            const counts = countsOf(run);
            const outcome = runOutcome(run);
            const x = (first + i) * slot;
            let top = PLOT_BOTTOM;
            const mark = markOf(run);
            const when = formatTime(run.createdAt);
            const described = `${when}: ${outcome.label}${run.dryRun ? " (dry run)" : ""}. ${SEGMENTS.map(
              (s) => `${formatCount(counts[s.key])} ${s.key}`,
            ).join(", ")}.`;
            return (
              <g class="chart-run" data-run-id={run.id} data-outcome={outcome.kind}>
                <title>{described}</title>
                {/* The whole slot answers hover, also where its bar is short. */}
                <rect x={`${x}%`} y={PLOT_TOP} width={`${slot}%`} height={PLOT_HEIGHT} fill="transparent" />
                {SEGMENTS.map((segment) => {
                  const value = counts[segment.key];
                  if (value <= 0) return null;
                  const height = Math.max(1, (value / max) * PLOT_HEIGHT);
                  top -= height;
                  return (
                    <rect
                      class={`bar bar-${segment.key}`}
                      x={`${x + slot * 0.18}%`}
                      y={top.toFixed(1)}
                      width={`${slot * 0.64}%`}
                      height={height.toFixed(1)}
                      fill={`url(#${segment.pattern})`}
                    />
                  );
                })}
                {mark ? (
                  <text
                    class={`mark mark-${mark.kind}`}
                    x={`${x + slot / 2}%`}
                    y={PLOT_BOTTOM + 18}
                    text-anchor="middle"
                  >
                    {mark.symbol}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      </div>
      {oldest && newest && runs.length > 1 ? (
        <p class="chart-range muted">
          <span>
            Oldest <time datetime={oldest.createdAt}>{formatTime(oldest.createdAt)}</time>
          </span>
          <span>
            Newest <time datetime={newest.createdAt}>{formatTime(newest.createdAt)}</time>
          </span>
        </p>
      ) : null}
    </figure>
  );
}
