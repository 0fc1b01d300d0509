// @ts-check
// The Preview step: the first items of the source as they will be imported, their issues and
// the file's columns; and, near saving, what keeps a file that cannot be read from running.
import { previewImport } from "./api.js";
import { setColumns } from "./columns.js";
import { buildConfig, previewKey } from "./config.js";
import { buttonOf, el, elementOf, radioValue } from "./dom.js";
import { form, importId, lastStep, previewStep, state } from "./state.js";
import { goTo, stepIndex, stepTitle } from "./steps.js";

/** The fields that tell items apart, shown first. */
const PREVIEW_KEYS = [
  "orderId",
  "id",
  "userId",
  "email",
  "title",
  "total",
  "currency",
  "price",
  "lineItems",
  "createdAt",
];

/**
 * A value as one line of text for a cell.
 * @param {unknown} value
 */
function cellText(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    // A customer's ids read best as "email a@example.com".
    if (value.every((v) => v && typeof v === "object" && "type" in v && "value" in v)) {
      return value.map((v) => `${v.type} ${v.value}`).join(", ");
    }
    return value.every((v) => typeof v !== "object" || v === null)
      ? value.join(", ")
      : `${value.length} ${value.length === 1 ? "entry" : "entries"}`;
  }
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : v}`)
      .join(", ");
  }
  return String(value);
}

/**
 * Long values (hashes, descriptions) are cut in the table; "All fields" shows them whole.
 * @param {string} text
 */
function shortCell(text) {
  if (text.length <= 26) return text;
  return el("span", { title: text, text: `${text.slice(0, 18)}…` });
}

/**
 * A table of the preview, whose cells say their column on a phone.
 * @param {string} caption
 * @param {string[]} headers
 * @param {(Node | string | number)[][]} rows
 * @param {string} [kind]
 */
export function table(caption, headers, rows, kind = "items") {
  return el("div", { class: "table-wrap" }, [
    el("table", { class: `preview-table preview-${kind}` }, [
      el("caption", { class: "visually-hidden", text: caption }),
      el(
        "thead",
        {},
        el(
          "tr",
          {},
          headers.map((h) => el("th", { scope: "col", text: h })),
        ),
      ),
      el(
        "tbody",
        {},
        rows.map((cells) =>
          el(
            "tr",
            {},
            cells.map((cell, i) =>
              el("td", { "data-label": headers[i] }, cell instanceof Node ? cell : String(cell)),
            ),
          ),
        ),
      ),
    ]),
  ]);
}

let previewSeq = 0;

/**
 * What to do about a file the preview could not read, by the error's code: the step where it
 * is fixed (by its title). Mirrors the run page's advice.
 * @type {Record<string, [string, string]>}
 */
const FILE_PROBLEMS = {
  missing_columns: [
    "Mapping",
    "Map the file's columns onto the fields the format needs, or choose the format the file is in.",
  ],
  wrong_format: ["Format", "Choose the format the file is in."],
  invalid_encoding: [
    "Options",
    "Choose the file's encoding in the options (windows-1252 and iso-8859-1 are usual for spreadsheet exports).",
  ],
  duplicate_columns: ["Source", "Two columns have the same name: export the file again, or choose another."],
  empty_file: ["Source", "The file has no records: choose another file."],
  corrupt_archive: ["Source", "The archive cannot be unpacked: choose another file."],
  too_many_columns: [
    "Source",
    "The file has more columns than the service reads: leave out those the import does not need.",
  ],
  record_too_large: [
    "Source",
    "A record is past the size the service reads: check the file's quotes and line ends.",
  ],
  file_too_large: ["Source", "The file is past the size the service reads: split it."],
  source_not_found: ["Source", "Check where the file is, or put it there."],
  source_unreachable: ["Source", "Check that the server is up and reachable from the internet."],
  source_refused: ["Source", "The source refused the credentials: type them again."],
  invalid_config: ["Source", "Check the source."],
};

/** A file that is not there yet may come later: only such a source can be saved anyway. */
const FILE_TO_COME = new Set(["source_not_found", "source_unreachable"]);
const REMOTE_SOURCES = new Set(["url", "s3", "sftp", "r2"]);

/**
 * The file problem of the last preview, on the steps where saving is near (the preview, the
 * schedule), while the config is the one previewed: why, where to fix it, and, for a remote
 * file that may come later, Save anyway.
 */
export function showFileProblem() {
  const box = elementOf("file-problem");
  const problem = state.preview.problem;
  const current = problem && state.preview.key === previewKey();
  const near = state.step === previewStep || state.step === lastStep;
  if (!problem || !current || !near) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  const [stepName, advice] = FILE_PROBLEMS[problem.code] ?? ["Source", "Check the source and its options."];
  const step = stepIndex(stepName);
  const fix = el("button", {
    type: "button",
    class: "button secondary small",
    text: `Go to ${stepTitle(step)}`,
  });
  fix.addEventListener("click", () => goTo(step));
  const sourceType = radioValue("sourceType");
  const canWait =
    FILE_TO_COME.has(problem.code) && sourceType !== undefined && REMOTE_SOURCES.has(sourceType);
  const buttons = el("div", { class: "button-row" }, [fix]);
  const parts = [
    el("h3", { text: "This import cannot run as it is" }),
    el("p", { text: problem.message }),
    el("p", {}, [el("strong", { text: "What to do: " }), advice]),
    buttons,
  ];
  if (canWait && state.step === lastStep) {
    const anyway = el(
      "button",
      { type: "button", class: "button secondary small", id: "save-anyway" },
      "Save anyway",
    );
    anyway.addEventListener("click", () => {
      state.saveAnyway = previewKey();
      form.requestSubmit(buttonOf("wizard-save"));
    });
    buttons.append(anyway);
    parts.push(
      el("p", {
        class: "hint",
        text: "Save anyway only if the file will be there by the time the import runs.",
      }),
    );
  } else if (canWait) {
    parts.push(
      el("p", {
        class: "hint",
        text: "If the file will be there by the time the import runs, it can be saved anyway on the last step.",
      }),
    );
  } else {
    parts.push(el("p", { class: "hint", text: "The import can be saved once its preview reads the file." }));
  }
  box.replaceChildren(...parts);
  box.hidden = false;
}

/**
 * The error code of a preview the API could not read the file of (422), if it is one.
 * @param {import("./api.js").CallResult<unknown>} result
 * @returns {string | undefined}
 */
function fileErrorCode(result) {
  if (result.ok || result.status !== 422) return undefined;
  const details = result.details;
  return typeof details === "object" &&
    details !== null &&
    "code" in details &&
    typeof details.code === "string"
    ? details.code
    : undefined;
}

/**
 * The items of a preview in a table: the fields that tell them apart first, as many as fit, and
 * all of them behind Show.
 * @param {Record<string, unknown>[]} items
 * @param {string} caption
 */
export function itemsTable(items, caption) {
  /** @type {string[]} */
  const keys = [];
  for (const item of items)
    for (const key of Object.keys(item ?? {})) if (!keys.includes(key)) keys.push(key);
  // The fields that tell items apart first, then the others, as many as fit.
  const preferred = PREVIEW_KEYS.filter((key) => keys.includes(key));
  const shownKeys = [...preferred, ...keys.filter((key) => !preferred.includes(key))].slice(0, 6);
  return table(
    caption,
    [...shownKeys, "All fields"],
    items.map((item) => [
      ...shownKeys.map((key) => {
        const value = item[key];
        return key === "lineItems" && Array.isArray(value)
          ? `${value.length} line item${value.length === 1 ? "" : "s"}`
          : shortCell(cellText(value));
      }),
      el("details", {}, [
        el("summary", { text: "Show" }),
        el("pre", { class: "json", text: JSON.stringify(item, null, 2) }),
      ]),
    ]),
  );
}

/**
 * The issues of a preview in a table; a field a rename mapped names the file's column too.
 * @param {import("./api.js").PreviewIssue[]} issues
 * @param {string} caption
 */
export function issuesTable(issues, caption) {
  return table(
    caption,
    ["Row", "Item", "Field", "Message", "Value"],
    issues.map((issue) => [
      issue.row,
      issue.item ?? "—",
      issue.column
        ? el("span", {}, [issue.field ?? "—", el("span", { class: "sub", text: `Column “${issue.column}”` })])
        : (issue.field ?? "—"),
      issue.message,
      issue.value === null ? "(missing)" : el("code", { text: String(issue.value) }),
    ]),
    "issues",
  );
}

/** Reads the first items of the source as configured now, and shows them with their issues. */
export async function loadPreview() {
  const box = elementOf("preview");
  const seq = ++previewSeq;
  const key = previewKey();
  box.replaceChildren(el("p", { class: "muted", text: "Reading the first items of the source…" }));
  box.setAttribute("aria-busy", "true");
  // Editing: the API reads the stored secrets in place of the "***" it showed.
  const result = await previewImport(buildConfig(), importId);
  if (seq !== previewSeq) return;
  box.removeAttribute("aria-busy");
  const code = fileErrorCode(result);
  state.preview = { key, problem: code && !result.ok ? { code, message: result.message } : null };
  showFileProblem();
  if (!result.ok) {
    box.replaceChildren(
      code
        ? el("p", { class: "muted", text: "The preview could not read the file: see below." })
        : el("div", { class: "alert alert-error", role: "alert", text: result.message }),
    );
    return;
  }
  const { columns = [], items = [], issues = [] } = result.data;
  if (columns.length && !state.columns.length) setColumns(columns);
  /** @type {HTMLElement[]} */
  const parts = [
    el("h3", { text: `Items (${items.length})`, id: "preview-items-heading" }),
    items.length
      ? itemsTable(items, "Preview items")
      : el("p", { class: "muted", text: "No valid items in the first records: see the issues below." }),
    el("h3", { text: `Issues (${issues.length})` }),
    issues.length
      ? issuesTable(issues, "Preview issues")
      : el("p", { class: "muted", text: "No issues in these items." }),
  ];
  if (columns.length) {
    parts.push(
      el("h3", { text: "Columns in the source" }),
      el(
        "ul",
        { class: "columns-list" },
        columns.map((c) => el("li", {}, el("code", { text: c }))),
      ),
    );
  }
  box.replaceChildren(...parts);
}

/** Wires Refresh preview. */
export function setUpPreview() {
  buttonOf("refresh-preview").addEventListener("click", loadPreview);
}
