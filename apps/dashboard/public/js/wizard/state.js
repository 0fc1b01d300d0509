// @ts-check
// The wizard's shared state: the form and its steps as the page renders them, the import being
// edited, and what the user has done so far. Every step's module reads and changes this one state.

/**
 * A value step of a rename or copy, as the editor holds it: map values keep whether each stored
 * value was JSON (not text), so that it goes back as it came.
 * @typedef {{ from: string, to: string, fromJson?: boolean, toJson?: boolean }} MappingDraft
 * @typedef {{ type: "map", mappings: MappingDraft[] }
 *   | { type: "timestamp", pattern: string }
 *   | { type: "cast", to: string }} ValueStepDraft
 * @typedef {"rename" | "copy" | "add" | "delete"} TransformationOp
 */

/**
 * A transformation as the editor holds it: every field as typed (add's value is text until it
 * is read), whatever the operation, so that changing the operation loses nothing typed.
 * @typedef {object} TransformationDraft
 * @property {TransformationOp} op
 * @property {string} from
 * @property {string} to
 * @property {string} field
 * @property {string} value
 * @property {ValueStepDraft[]} values
 */

/**
 * A problem of the draft, at the config path it belongs to.
 * @typedef {{ path: string, message: string }} FieldError
 */

/**
 * A transformation as the API stores it (the import being edited).
 * @typedef {object} StoredTransformation
 * @property {TransformationOp} op
 * @property {string} [from]
 * @property {string} [to]
 * @property {string} [field]
 * @property {unknown} [value]
 * @property {StoredValueStep[]} [values]
 * @typedef {{ type: "map", mappings: { from: unknown, to: unknown }[] }
 *   | { type: "timestamp", pattern: string }
 *   | { type: "cast", to: string }} StoredValueStep
 */

/**
 * The import being edited, as the API shows it (its secrets as "***").
 * @typedef {object} StoredConfig
 * @property {string} name
 * @property {string} type
 * @property {string} format
 * @property {Record<string, any>} source
 * @property {Record<string, any>} [options]
 * @property {StoredTransformation[]} [transformations]
 * @property {{ everyDays: number, startAt: string, enabled: boolean } | null} [schedule]
 */

/**
 * The file problem of a preview: the error code of a run that could not read it, and its words.
 * @typedef {{ code: string, message: string }} FileProblem
 */

const wizardForm = document.getElementById("wizard");
if (!(wizardForm instanceof HTMLFormElement)) throw new Error("The wizard's form is not on this page.");

/** The wizard's form: every step is a section of it. */
export const form = wizardForm;

/** The session's token, sent with every call to the dashboard. */
export const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";

/** Per step, the config paths it sets (an error at a path is shown on its step). */
export const stepPaths = /** @type {string[][]} */ (JSON.parse(form.dataset.steps ?? "[]"));
/** @type {HTMLElement[]} */
export const steps = [...form.querySelectorAll("section.step")].map((s) => /** @type {HTMLElement} */ (s));
export const lastStep = steps.length - 1;
export const previewStep = steps.findIndex((s) => s.querySelector("#preview"));

/** The id of the import being edited; null for a new import. */
export const importId = form.dataset.importId || null;
/** @type {StoredConfig | null} */
export const initial = form.dataset.initial ? JSON.parse(form.dataset.initial) : null;

/** The formats read as delimited text with a header line. */
export const CSV_LIKE = new Set(["velocidi_csv", "shopify_csv", "csv", "google_tsv"]);

export const state = {
  step: 0,
  /** @type {string | null} */
  uploadKey: initial?.source?.type === "upload" ? initial.source.key : null,
  uploading: false,
  /** @type {string | null} */
  uploadError: null,
  /** @type {string[]} */
  columns: [],
  /** @type {TransformationDraft[]} */
  transformations: [],
  /**
   * Steps whose every problem is shown (the user tried to leave them).
   * @type {Set<number>}
   */
  revealed: new Set(),
  /**
   * Fields the user has typed in: their problems show as they type.
   * @type {Set<string>}
   */
  touched: new Set(),
  /** @type {FieldError[]} */
  errors: [],
  checkSeq: 0,
  /** The furthest step reached: a new import's step list opens the steps up to it. */
  reached: 0,
  /**
   * The last preview: of which config (previewKey), and the file's problem if it cannot be read.
   * @type {{ key: string | null, problem: FileProblem | null }}
   */
  preview: { key: null, problem: null },
  /**
   * The config (previewKey) the user chose to save although its file cannot be read yet.
   * @type {string | null}
   */
  saveAnyway: null,
};
