// @ts-check
// The Mapping step: the file's columns, each with its first values, beside the format's fields,
// a choice of field per column filled in from the API's suggestions, the required fields still
// unmapped, and a preview of the first items that follows every change.
//
// There is one model: the transformations. A column mapped onto a field is a rename of the
// column (with its value steps, such as the timestamp pattern of a date column); a column left
// out that the format would read is a delete; a value for every item is an add. The
// Transformations step shows and edits the same list, and this step is drawn from it each time
// it is shown. A customers file maps its user id column through the options instead (userIdField
// and userIdType, on the Options step too): its other columns are attributes as they are named.
import { previewImport, suggestMapping } from "./api.js";
import { scheduleCheck } from "./checks.js";
import { setColumns } from "./columns.js";
import { buildConfig } from "./config.js";
import { $, el, elementOf, radioValue, selectOf } from "./dom.js";
import { buildOptions } from "./options-step.js";
import { issuesTable, itemsTable } from "./preview-step.js";
import { buildSource } from "./source-step.js";
import { form, importId, state, steps } from "./state.js";
import { draftsOf, newTransformation, renderTransformations } from "./transformations-step.js";

/**
 * @typedef {import("./state.js").TransformationDraft} TransformationDraft
 * @typedef {import("./api.js").MappingSuggestion} MappingSuggestion
 * @typedef {{ field: string, required: boolean }} FormatField
 */

/** Per "type format", the fields a column can be mapped onto (the page lists them). */
const FIELDS = /** @type {Record<string, FormatField[]>} */ (JSON.parse(form.dataset.mappingFields ?? "{}"));

/** XML feeds' g: elements are read without their prefix: transformations name them so. */
const XML_FORMATS = new Set(["google_rss", "google_atom"]);

/** The first values shown beside each column, and how long each may be. */
const SAMPLE_VALUES = 3;
const SAMPLE_LENGTH = 40;
/** The items the step's preview shows. */
const PREVIEW_ITEMS = 5;

/** What the step read of the file, and for which source and options. */
const view = {
  /** @type {string | null} */
  key: null,
  /** @type {string[]} */
  columns: [],
  /** @type {unknown[][]} */
  sample: [],
  /** @type {MappingSuggestion | null} */
  suggestion: null,
  /** Why the file's columns are not known, when they are not. @type {string | null} */
  problem: null,
  /** The file was read and its suggestion not yet offered on the step. */
  unseen: false,
  seq: 0,
  previewSeq: 0,
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  previewTimer: undefined,
};

const isCustomers = () => radioValue("type") === "customers";

/** The fields of the type and format chosen; null when the format has no columns to map. */
function formatFields() {
  return FIELDS[`${radioValue("type")} ${radioValue("format")}`] ?? null;
}

/**
 * The name transformations give a column (an XML feed's g:price is price).
 * @param {string} column
 */
function readName(column) {
  return XML_FORMATS.has(radioValue("format") ?? "") && column.startsWith("g:") ? column.slice(2) : column;
}

/** @param {string} name */
const isField = (name) => (formatFields() ?? []).some((f) => f.field === name);

/** @param {string} name */
const renameOf = (name) => state.transformations.find((t) => t.op === "rename" && t.from === name);
/** @param {string} name */
const deleteOf = (name) => state.transformations.find((t) => t.op === "delete" && t.field === name);

/** @param {TransformationDraft | undefined} t */
function remove(t) {
  const at = t ? state.transformations.indexOf(t) : -1;
  if (at >= 0) state.transformations.splice(at, 1);
}

/** Whether a transformation renames or deletes one of the file's columns: part of the mapping. */
function isColumnMapping(/** @type {TransformationDraft} */ t) {
  const names = view.columns.map(readName);
  return (t.op === "rename" && names.includes(t.from)) || (t.op === "delete" && names.includes(t.field));
}

/**
 * Where a new rename or delete of a column goes: after those of the other columns, before the
 * transformations that use the fields they give (a copy of currency comes after its rename).
 */
function insertAt() {
  let at = 0;
  state.transformations.forEach((t, i) => {
    if (isColumnMapping(t)) at = i + 1;
  });
  return at;
}

/** @param {TransformationDraft} t */
function insert(t) {
  state.transformations.splice(insertAt(), 0, t);
}

// ---------- the options of a customers file ----------

/** The user id field option's control (a select once the columns are known). */
const userIdFieldControl = () =>
  /** @type {HTMLInputElement | HTMLSelectElement} */ (elementOf("user-id-field"));

/** @param {string} column */
function setUserIdField(column) {
  const control = userIdFieldControl();
  if (control instanceof HTMLSelectElement && column && ![...control.options].some((o) => o.value === column))
    control.append(el("option", { value: column, text: column }));
  control.value = column;
}

// ---------- a column's field ----------

/**
 * What a column is mapped onto, as its select's value: "=field", "" (left out), or for a
 * customers file "userId", "attribute" or "ignore".
 * @param {string} column
 */
function targetOf(column) {
  const name = readName(column);
  if (isCustomers()) {
    if (userIdFieldControl().value === column) return "userId";
    if (deleteOf(name)) return "ignore";
    const rename = renameOf(name);
    return rename?.to ? `=${rename.to}` : "attribute";
  }
  const rename = renameOf(name);
  if (rename) return rename.to ? `=${rename.to}` : "";
  if (deleteOf(name)) return "";
  return isField(name) ? `=${name}` : "";
}

/**
 * Maps a column onto what its select says, as transformations (or a customers file's options).
 * A field another column had is taken from it: that column is left out, and named in the answer.
 * @param {string} column
 * @param {string} target
 * @returns {string[]} the columns that gave the field up
 */
function setTarget(column, target) {
  const name = readName(column);
  if (isCustomers()) {
    const wasUserId = userIdFieldControl().value === column;
    if (target === "userId") {
      remove(deleteOf(name));
      remove(renameOf(name));
      setUserIdField(column);
      return [];
    }
    if (wasUserId) setUserIdField("");
    remove(renameOf(name));
    remove(deleteOf(name));
    if (target === "ignore") insert({ ...newTransformation("delete"), field: name });
    return [];
  }
  const field = target.startsWith("=") ? target.slice(1) : null;
  /** @type {string[]} */
  const released = [];
  if (field !== null) {
    for (const other of view.columns) {
      if (other !== column && targetOf(other) === target) {
        leaveOut(other);
        released.push(other);
      }
    }
  }
  if (field === null) {
    leaveOut(column);
  } else if (field === name) {
    // The column already has the field's name: nothing to rename.
    remove(renameOf(name));
    remove(deleteOf(name));
  } else {
    remove(deleteOf(name));
    const rename = renameOf(name);
    if (rename) rename.to = field;
    else insert({ ...newTransformation("rename"), from: name, to: field });
  }
  return released;
}

/**
 * Leaves a column out: no rename; a delete when the format would read it by its own name.
 * @param {string} column
 */
function leaveOut(column) {
  const name = readName(column);
  remove(renameOf(name));
  if (isField(name) && !deleteOf(name)) insert({ ...newTransformation("delete"), field: name });
}

// ---------- the suggestions ----------

/** Whether any column is mapped already (by a transformation, or as a customers file's user id). */
function anyColumnMapped() {
  if (state.transformations.some(isColumnMapping)) return true;
  return isCustomers() && view.columns.includes(userIdFieldControl().value);
}

/**
 * Fills the mapping in from the suggestion: in place of the columns' mapping when `replace`,
 * else around what is there. What the suggestion adds (userIdType, a copy of the currency) is
 * added once.
 * @param {MappingSuggestion} suggestion
 * @param {boolean} replace
 */
function applySuggestion(suggestion, replace) {
  if (replace) state.transformations = state.transformations.filter((t) => !isColumnMapping(t));
  for (const t of draftsOf(suggestion.transformations)) {
    if (t.op === "rename") {
      if (!renameOf(t.from)) insert(t);
    } else if (t.op === "add") {
      if (!state.transformations.some((u) => u.op === "add" && u.field === t.field))
        state.transformations.push(t);
    } else if (t.op === "copy") {
      if (!state.transformations.some((u) => u.op === "copy" && u.to === t.to)) state.transformations.push(t);
    }
  }
  const options = suggestion.options;
  if (options && isCustomers()) {
    if (replace || !userIdFieldControl().value) setUserIdField(options.userIdField);
    const type = selectOf("user-id-type");
    if (options.userIdType && (replace || !type.value)) type.value = options.userIdType;
  }
}

/**
 * A new file replaces the mapping of the old one: renames and deletes of columns the new file
 * lacks go.
 * @param {string[]} before
 * @param {string[]} after
 */
function forgetColumnsOf(before, after) {
  const gone = new Set(before.filter((c) => !after.includes(c)).map(readName));
  state.transformations = state.transformations.filter(
    (t) => !((t.op === "rename" && gone.has(t.from)) || (t.op === "delete" && gone.has(t.field))),
  );
  if (
    isCustomers() &&
    before.includes(userIdFieldControl().value) &&
    !after.includes(userIdFieldControl().value)
  )
    setUserIdField("");
}

/** What the columns are read for: the type, format, source and the options that read the file. */
function fileKey() {
  const options = buildOptions();
  /** @type {Record<string, unknown>} */
  const reading = {};
  for (const name of ["encoding", "delimiter", "entry"])
    if (options[name] !== undefined) reading[name] = options[name];
  return {
    type: radioValue("type") ?? "",
    format: radioValue("format") ?? "",
    source: buildSource(),
    ...(Object.keys(reading).length ? { options: reading } : {}),
  };
}

/**
 * Shows the step: reads the file's columns and the suggestions when the file (or how it is read)
 * changed since, then draws the mapping from the transformations.
 */
export async function showMapping() {
  if (!formatFields()) return;
  const file = fileKey();
  const key = JSON.stringify(file);
  if (key !== view.key) {
    const seq = ++view.seq;
    status("Reading the file's columns…");
    elementOf("mapping-columns").replaceChildren();
    elementOf("mapping-required").hidden = true;
    elementOf("mapping-preview").hidden = true;
    const result = await suggestMapping(file, importId);
    if (seq !== view.seq) return;
    view.key = key;
    if (!result.ok) {
      view.problem = result.message;
      view.suggestion = null;
    } else {
      const suggestion = result.data;
      const columns = suggestion.columns ?? [];
      const before = view.columns;
      view.problem = null;
      view.suggestion = suggestion;
      view.columns = columns;
      view.sample = suggestion.sample ?? [];
      view.unseen = true;
      if (before.length) forgetColumnsOf(before, columns);
      if (columns.length) setColumns(columns);
    }
  }
  // The step may have been left while the file was read: what it read waits for its return.
  if (!onMappingStep()) return;
  if (view.unseen && view.suggestion) {
    view.unseen = false;
    const filled = !anyColumnMapped();
    if (filled) applySuggestion(view.suggestion, false);
    renderTransformations();
    status(
      filled
        ? `${countOf(view.columns.length, "column")} read; the suggestions map ${view.suggestion.matches.length} of them.`
        : `${countOf(view.columns.length, "column")} read; their mapping is as it was.`,
    );
  }
  render();
  schedulePreview(0);
}

/**
 * "1 column", "3 columns".
 * @param {number} n
 * @param {string} word
 */
const countOf = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Whether the Mapping step is the one shown. */
const onMappingStep = () => Boolean(steps[state.step]?.querySelector("#mapping-columns"));

// ---------- drawing the step ----------

/** @param {string} text */
function status(text) {
  elementOf("mapping-status").textContent = text;
}

/**
 * The first values of a column in the file, as text, each shortened.
 * @param {number} index
 */
function samplesOf(index) {
  /** @type {string[]} */
  const values = [];
  for (const row of view.sample) {
    const value = row[index];
    if (value === null || value === undefined) continue;
    const text = (typeof value === "string" ? value : JSON.stringify(value)).trim();
    if (text === "" || values.includes(text)) continue;
    values.push(text.length > SAMPLE_LENGTH ? `${text.slice(0, SAMPLE_LENGTH - 1)}…` : text);
    if (values.length === SAMPLE_VALUES) break;
  }
  return values;
}

/**
 * The select of a column: its field, or left out; required fields first.
 * @param {string} column
 * @param {number} index
 */
function fieldSelect(column, index) {
  const select = el("select", { id: `map-${index}`, class: "map-select" });
  if (isCustomers()) {
    select.append(
      el("option", { value: "attribute", text: `Attribute “${column}”` }),
      el("option", { value: "userId", text: "User id" }),
      el("option", { value: "ignore", text: "Not imported" }),
    );
  } else {
    const fields = formatFields() ?? [];
    /** @param {FormatField} f */
    const option = (f) => el("option", { value: `=${f.field}`, text: f.field });
    select.append(
      el("option", { value: "", text: "Not imported" }),
      el("optgroup", { label: "Required fields" }, fields.filter((f) => f.required).map(option)),
      el("optgroup", { label: "Other fields" }, fields.filter((f) => !f.required).map(option)),
    );
  }
  // The select stays as it is while it is used (typing a field's first letters picks it): a
  // change redraws the other selects, the notes and the required fields in place.
  select.addEventListener("change", () => {
    const released = setTarget(column, select.value);
    renderTransformations();
    refresh();
    status(
      released.length
        ? `“${column}” now fills ${select.value.slice(1)}; ${released.map((c) => `“${c}”`).join(", ")} is no longer imported.`
        : `“${column}”: ${select.selectedOptions[0]?.textContent ?? ""}.`,
    );
    scheduleCheck();
    schedulePreview();
  });
  return select;
}

/**
 * Shows a column's select as the transformations map it: its value, the fields other columns
 * fill (named in their options), and a rename onto a name the format does not list as it is.
 * @param {HTMLSelectElement} select
 * @param {string} column
 */
function showTarget(select, column) {
  const current = targetOf(column);
  for (const option of select.options) {
    if (!option.value.startsWith("=") || option.dataset.renamed !== undefined) continue;
    const field = option.value.slice(1);
    const holder = view.columns.find((other) => other !== column && targetOf(other) === option.value);
    option.textContent = holder ? `${field} (now from “${holder}”)` : field;
  }
  for (const option of [...select.options]) {
    if (option.dataset.renamed !== undefined && option.value !== current) option.remove();
  }
  if (![...select.options].some((o) => o.value === current)) {
    const renamed = el("option", { value: current, text: `${current.slice(1)} (as renamed)` });
    renamed.dataset.renamed = "";
    select.append(renamed);
  }
  if (select.value !== current) select.value = current;
}

/** Updates the columns' selects and notes, and the required fields, from the transformations. */
function refresh() {
  view.columns.forEach((column, i) => {
    const select = $(`map-${i}`);
    if (select instanceof HTMLSelectElement) showTarget(select, column);
    $(`map-${i}-notes`)?.replaceChildren(...columnNotes(column));
  });
  elementOf("mapping-required-body").replaceChildren(...requiredBody());
}

/**
 * What the suggestion and the value steps say of a column, under its select.
 * @param {string} column
 */
function columnNotes(column) {
  const notes = [];
  const target = targetOf(column);
  const match = view.suggestion?.matches.find((m) => m.column === column);
  if (match && target === `=${match.field}`) {
    const how = { name: "by its name", synonym: "by a name it is known by", values: "by its values" }[
      match.by
    ];
    notes.push(el("span", { class: "map-how", text: `Suggested ${how}` }));
  }
  const rename = renameOf(readName(column));
  const pattern = rename?.values.find((v) => v.type === "timestamp");
  if (pattern && pattern.type === "timestamp" && pattern.pattern) {
    notes.push(el("span", { class: "map-note", text: `Dates read as ${pattern.pattern}` }));
  } else if (match?.note && target === `=${match.field}`) {
    notes.push(el("span", { class: "map-note", text: match.note }));
  }
  if (rename?.values.length && !pattern) {
    notes.push(el("span", { class: "map-note", text: "Its values are changed: see Transformations" }));
  }
  return notes;
}

/** The table of the file's columns, each with its first values and its field. */
function columnsTable() {
  const rows = view.columns.map((column, i) => {
    const samples = samplesOf(i);
    return el("tr", {}, [
      el("th", { scope: "row", "data-label": "Column" }, el("code", { id: `map-${i}-column`, text: column })),
      el(
        "td",
        { "data-label": "First values" },
        samples.length
          ? el(
              "ul",
              { class: "map-samples" },
              samples.map((s) => el("li", { text: s })),
            )
          : el("span", { class: "muted", text: "(empty)" }),
      ),
      el(
        "td",
        { "data-label": "Field" },
        el("div", {}, [
          el("label", { for: `map-${i}`, class: "visually-hidden", text: `Field for the column ${column}` }),
          fieldSelect(column, i),
          el("div", { id: `map-${i}-notes` }),
        ]),
      ),
    ]);
  });
  return el("div", { class: "table-wrap" }, [
    el("table", { class: "column-map responsive" }, [
      el("caption", { class: "visually-hidden", text: "The file's columns and the fields they fill" }),
      el("thead", {}, [
        el("tr", {}, [
          el("th", { scope: "col", text: "Column in the file" }),
          el("th", { scope: "col", text: "First values" }),
          el("th", { scope: "col", text: "Field" }),
        ]),
      ]),
      el("tbody", {}, rows),
    ]),
  ]);
}

/**
 * The required fields: which column fills each, or what else does (a value for every item, a
 * copy); those still unmapped, each with a way to give every item one value.
 */
function requiredBody() {
  if (isCustomers()) return customersRequired();
  const fields = formatFields() ?? [];
  /** @type {Map<string, string>} */
  const filledBy = new Map();
  for (const column of view.columns) {
    const target = targetOf(column);
    if (target.startsWith("=")) filledBy.set(target.slice(1), `from the column “${column}”`);
  }
  for (const t of state.transformations) {
    if (t.op === "add" && t.field && !filledBy.has(t.field))
      filledBy.set(t.field, `set to ${t.value} for every item`);
    if (t.op === "copy" && t.to && !filledBy.has(t.to)) filledBy.set(t.to, `copied from ${t.from}`);
  }
  const required = fields.filter((f) => f.required);
  const missing = required.filter((f) => !filledBy.has(f.field));
  const otherwise = required.filter((f) => {
    const by = filledBy.get(f.field);
    return by !== undefined && !by.startsWith("from the column");
  });
  const parts = [];
  if (missing.length) {
    parts.push(
      el("p", {
        class: "mapping-missing",
        id: "mapping-missing-text",
        text: `${missing.length} required field${missing.length === 1 ? " is" : "s are"} not mapped yet: map a column onto ${missing.length === 1 ? "it" : "each"}, or give every item one value.`,
      }),
      el(
        "ul",
        { class: "mapping-missing-list", "aria-labelledby": "mapping-missing-text" },
        missing.map((f, i) => missingField(f.field, i)),
      ),
    );
  } else {
    parts.push(
      el("p", { class: "mapping-done", text: `All ${required.length} required fields are mapped.` }),
    );
  }
  if (otherwise.length) {
    parts.push(
      el(
        "ul",
        { class: "facts" },
        otherwise.map((f) =>
          el("li", {}, [el("code", { text: f.field }), ` ${filledBy.get(f.field) ?? ""}`]),
        ),
      ),
    );
  }
  return parts;
}

/**
 * A required field no column fills, with a value to give every item (an add transformation).
 * @param {string} field
 * @param {number} i
 */
function missingField(field, i) {
  const input = el("input", {
    type: "text",
    id: `map-missing-${i}`,
    autocomplete: "off",
    spellcheck: "false",
  });
  const button = el("button", { type: "button", class: "button secondary small", text: "Set" });
  const set = () => {
    if (input.value.trim() === "") {
      input.focus();
      return;
    }
    state.transformations.push({ ...newTransformation("add"), field, value: input.value.trim() });
    renderTransformations();
    refresh();
    // The keyboard goes on to the next field still to fill, or to the list's heading.
    ($("map-missing-0") ?? $("mapping-required-heading"))?.focus();
    status(`${field} is set to ${input.value.trim()} for every item.`);
    scheduleCheck();
    schedulePreview();
  };
  button.addEventListener("click", set);
  input.addEventListener("keydown", (event) => {
    // Enter sets the value here instead of sending the form (Next).
    if (event.key === "Enter") {
      event.preventDefault();
      set();
    }
  });
  return el("li", { class: "add-row" }, [
    el("code", { text: field }),
    el("label", {
      for: `map-missing-${i}`,
      class: "visually-hidden",
      text: `Value of ${field} for every item`,
    }),
    input,
    button,
  ]);
}

/** A customers file needs its user id column and the id type. */
function customersRequired() {
  const column = view.columns.find((c) => targetOf(c) === "userId");
  const typeSelect = selectOf("user-id-type");
  const mirror = el("select", { id: "map-user-id-type" });
  mirror.append(...[...typeSelect.options].map((o) => el("option", { value: o.value, text: o.textContent })));
  mirror.value = typeSelect.value;
  mirror.addEventListener("change", () => {
    typeSelect.value = mirror.value;
    scheduleCheck();
    schedulePreview();
  });
  return [
    column
      ? el("p", { class: "mapping-done" }, ["The user id is the column ", el("code", { text: column }), "."])
      : el("p", { class: "mapping-missing", text: "Choose the column that holds each customer's user id." }),
    el("div", { class: "field map-id-type" }, [
      el("label", { for: "map-user-id-type", text: "Type of the user ids" }),
      mirror,
      el("p", { class: "hint", text: "The import's User id type option, as on the Options step." }),
    ]),
  ];
}

/**
 * Draws the step from the transformations (and the options of a customers file).
 * @param {string} [focusId] the control to give the keyboard back to
 */
function render(focusId) {
  const box = elementOf("mapping-columns");
  const required = elementOf("mapping-required");
  if (view.problem !== null) {
    const again = el("button", {
      type: "button",
      class: "button secondary small",
      id: "mapping-again",
      text: "Read the file again",
    });
    again.addEventListener("click", () => {
      view.key = null;
      showMapping();
    });
    box.replaceChildren(
      el("div", { class: "alert alert-error", role: "alert" }, [
        el("p", { text: `The file's columns could not be read: ${view.problem}` }),
        el("p", {
          text: "Fix the source or its options, or map the columns later with renames in Transformations.",
        }),
        again,
      ]),
    );
    required.hidden = true;
    elementOf("mapping-preview").hidden = true;
    status("");
    return;
  }
  box.replaceChildren(...delimiterHint(), ...resuggestButton(), columnsTable());
  refresh();
  required.hidden = false;
  if (focusId) $(focusId)?.focus();
}

/**
 * Use the suggestions again: the columns' mapping as suggested, in place of the one made since.
 * @returns {HTMLElement[]}
 */
function resuggestButton() {
  const suggestion = view.suggestion;
  if (!suggestion || suggestion.matches.length === 0) return [];
  const button = el("button", {
    type: "button",
    class: "button secondary small",
    id: "mapping-resuggest",
    text: "Use the suggestions again",
  });
  button.addEventListener("click", () => {
    applySuggestion(suggestion, true);
    renderTransformations();
    render("mapping-resuggest");
    status("The suggested mapping is back.");
    scheduleCheck();
    schedulePreview();
  });
  return [el("div", { class: "mapping-tools" }, [button])];
}

/**
 * A header read as one column that has another delimiter in it: the way to read it with that one.
 * @returns {HTMLElement[]}
 */
function delimiterHint() {
  const [only] = view.columns;
  const delimiter = $("delimiter");
  if (view.columns.length !== 1 || only === undefined || !(delimiter instanceof HTMLSelectElement)) return [];
  if (delimiter.closest(".field")?.hasAttribute("hidden")) return [];
  const other = [";", "\t", "|", ","].find((d) => d !== delimiter.value && only.includes(d));
  if (!other) return [];
  const name = other === "\t" ? "tabs" : `“${other}”`;
  const button = el("button", {
    type: "button",
    class: "button secondary small",
    text: `Read it with ${name}`,
  });
  button.addEventListener("click", () => {
    delimiter.value = other;
    delimiter.dispatchEvent(new Event("change", { bubbles: true }));
    showMapping();
  });
  return [
    el("div", { class: "warning-note" }, [
      el("p", { text: `The file reads as one column: its columns look separated by ${name}.` }),
      button,
    ]),
  ];
}

// ---------- the live preview ----------

/** @param {number} [delay] */
function schedulePreview(delay = 400) {
  clearTimeout(view.previewTimer);
  view.previewTimer = setTimeout(loadMappingPreview, delay);
}

/** The first items as the mapping makes them, and their issues. */
async function loadMappingPreview() {
  if (view.problem !== null || !view.columns.length) return;
  const section = elementOf("mapping-preview");
  const body = elementOf("mapping-preview-body");
  const line = elementOf("mapping-preview-status");
  section.hidden = false;
  const seq = ++view.previewSeq;
  line.textContent = "Reading the first items with this mapping…";
  const result = await previewImport(buildConfig(), importId);
  if (seq !== view.previewSeq) return;
  if (!result.ok) {
    line.textContent = "";
    body.replaceChildren(
      el("p", { class: result.status === 422 ? "muted" : "alert alert-error", text: result.message }),
    );
    return;
  }
  const items = (result.data.items ?? []).slice(0, PREVIEW_ITEMS);
  const issues = result.data.issues ?? [];
  const shownIssues = issues.slice(0, PREVIEW_ITEMS);
  line.textContent = `The first ${countOf(items.length, "item")} as mapped; ${countOf(issues.length, "issue")} in the first records.`;
  body.replaceChildren(
    items.length
      ? itemsTable(items, "The first items with this mapping")
      : el("p", { class: "muted", text: "No valid item yet: see the issues." }),
    ...(shownIssues.length
      ? [
          el("h4", {
            text:
              issues.length > shownIssues.length
                ? `Issues (first ${shownIssues.length} of ${issues.length})`
                : "Issues",
          }),
          issuesTable(shownIssues, "Issues of the first items with this mapping"),
        ]
      : []),
  );
}

/** E-goi lists have fixed fields: the step says so instead. */
export function showMappingOfFormat() {
  const none = !formatFields() && radioValue("format") !== undefined;
  elementOf("mapping-none").hidden = !none;
  elementOf("mapping-editor").hidden = none;
}
