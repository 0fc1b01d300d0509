// @ts-check
// The Transformations step: the editor of renames, copies, adds and deletes, with the value
// steps of renames and copies (map, timestamp, cast), moved and removed by keyboard too.
import { scheduleCheck } from "./checks.js";
import { $, buttonOf, el, elementOf, field, radioValue, selectOf } from "./dom.js";
import { state } from "./state.js";

/**
 * @typedef {import("./state.js").TransformationDraft} TransformationDraft
 * @typedef {import("./state.js").TransformationOp} TransformationOp
 * @typedef {import("./state.js").ValueStepDraft} ValueStepDraft
 * @typedef {import("./state.js").MappingDraft} MappingDraft
 * @typedef {import("./state.js").StoredTransformation} StoredTransformation
 */

/** @type {Record<TransformationOp, string>} */
const OP_LABELS = {
  rename: "Rename a field",
  copy: "Copy a field",
  add: "Add a field",
  delete: "Delete a field",
};
/** @type {Record<ValueStepDraft["type"], string>} */
const STEP_LABELS = { map: "Map values", timestamp: "Read as a date and time", cast: "Cast" };

/**
 * "42" and "true" keep their type; "\"42\"" is the text 42; anything else is text.
 * @param {string} raw
 */
function parseValue(raw) {
  const value = raw.trim();
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === "true" || value === "false") return value === "true";
  if (value === "null") return null;
  if (/^".*"$/.test(value)) return value.slice(1, -1);
  return raw;
}

/**
 * An add's stored value as typed: text that would read as another type is quoted.
 * @param {unknown} value
 */
function showValue(value) {
  if (typeof value === "string")
    return /^(-?\d+(\.\d+)?|true|false|null)$/.test(value.trim()) ? `"${value}"` : value;
  if (value === undefined) return "";
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/*
 * Map values. A value typed into a new mapping is text, as the cells of a CSV file are. A stored
 * value that is not text (the number 1 of a JSON-lines import, true, null) matches only a value
 * of its own type, so its field shows it as JSON, marked "JSON", and is read back as JSON: left
 * as it is, it goes back exactly as stored (JSON gives back the very value it wrote); edited to
 * 2, it stays a number; "1" in quotes, or text that is not JSON, is text.
 */
/** @param {unknown} value */
const storedMapValue = (value) => ({
  text: typeof value === "string" ? value : (JSON.stringify(value) ?? ""),
  json: typeof value !== "string",
});

/**
 * @param {string} text
 * @param {boolean | undefined} json
 */
function mapValue(text, json) {
  if (!json) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** @param {ValueStepDraft} step */
function buildValueStep(step) {
  if (step.type === "map")
    return {
      type: "map",
      mappings: step.mappings.map((m) => ({
        from: mapValue(m.from, m.fromJson),
        to: mapValue(m.to, m.toJson),
      })),
    };
  if (step.type === "timestamp") return { type: "timestamp", pattern: step.pattern || undefined };
  return { type: "cast", to: step.to };
}

/** The transformations as edited, for the config. */
export function buildTransformations() {
  return state.transformations.map((t) => {
    if (t.op === "rename" || t.op === "copy") {
      return {
        op: t.op,
        from: t.from || undefined,
        to: t.to || undefined,
        ...(t.values.length ? { values: t.values.map(buildValueStep) } : {}),
      };
    }
    if (t.op === "add") return { op: "add", field: t.field || undefined, value: parseValue(t.value) };
    return { op: "delete", field: t.field || undefined };
  });
}

/**
 * @param {TransformationOp} op
 * @returns {TransformationDraft}
 */
export function newTransformation(op) {
  return { op, from: "", to: "", field: "", value: "", values: [] };
}

/**
 * The stored transformations, as the editor holds them.
 * @param {StoredTransformation[]} transformations
 * @returns {TransformationDraft[]}
 */
export function draftsOf(transformations) {
  return transformations.map((t) => ({
    ...newTransformation(t.op),
    from: t.from ?? "",
    to: t.to ?? "",
    field: t.field ?? "",
    value: t.op === "add" ? showValue(t.value) : "",
    values: (t.values ?? []).map((v) => {
      if (v.type !== "map") return { ...v };
      const mappings = v.mappings.map((m) => {
        const from = storedMapValue(m.from);
        const to = storedMapValue(m.to);
        return { from: from.text, fromJson: from.json, to: to.text, toJson: to.json };
      });
      return { type: "map", mappings };
    }),
  }));
}

/**
 * @param {ValueStepDraft["type"]} type
 * @returns {ValueStepDraft}
 */
function newValueStep(type) {
  if (type === "map") return { type, mappings: [{ from: "", to: "" }] };
  if (type === "timestamp") return { type, pattern: "" };
  return { type, to: "string" };
}

/**
 * @template T
 * @param {T[]} list
 * @param {number} from
 * @param {number} to
 */
function move(list, from, to) {
  const [item] = list.splice(from, 1);
  if (item !== undefined) list.splice(to, 0, item);
}

/**
 * @param {string} id
 * @param {string} textContent
 * @param {string} label
 * @param {() => void} onClick
 * @param {boolean} [disabled]
 */
function toolButton(id, textContent, label, onClick, disabled) {
  const button = el(
    "button",
    { type: "button", class: "icon-button", id, "aria-label": label, disabled },
    textContent,
  );
  button.addEventListener("click", onClick);
  return button;
}

/**
 * A text input bound to a text property of the editor's state.
 * @template {string} K
 * @param {Record<K, string>} target
 * @param {K} key
 * @param {import("./dom.js").Attributes} [attrs]
 */
function bound(target, key, attrs = {}) {
  const input = el("input", { type: "text", autocomplete: "off", value: target[key], ...attrs });
  input.addEventListener("input", () => {
    target[key] = input.value;
  });
  return input;
}

/**
 * A map value's field; a stored value that is not text is marked as read as JSON.
 * @param {string} id
 * @param {string} labelText
 * @param {string} path
 * @param {MappingDraft} mapping
 * @param {"from" | "to"} key
 */
function mapValueField(id, labelText, path, mapping, key) {
  const wrapper = field(id, labelText, path, bound(mapping, key, { spellcheck: "false" }));
  if (key === "from" ? mapping.fromJson : mapping.toJson) {
    wrapper.querySelector("label")?.append(
      " ",
      el("span", {
        class: "value-type",
        title: 'Read as JSON: 1 is a number, true and false are booleans, "1" in quotes is text.',
        text: "JSON",
      }),
    );
  }
  return wrapper;
}

/** @param {{ to: string }} step */
function castSelect(step) {
  const select = el("select");
  const types = /** @type {HTMLTemplateElement} */ (elementOf("cast-types"));
  select.append(...types.content.cloneNode(true).childNodes);
  select.value = step.to;
  select.addEventListener("change", () => {
    step.to = select.value;
  });
  return select;
}

/**
 * @param {TransformationDraft} t
 * @param {number} i
 * @param {ValueStepDraft} step
 * @param {number} j
 */
function renderValueStep(t, i, step, j) {
  const base = `t${i}-v${j}`;
  const path = `transformations.${i}.values.${j}`;
  const n = t.values.length;
  /** @param {string} focusId */
  const rerenderAt = (focusId) => renderTransformations(focusId);
  /** @type {HTMLElement[]} */
  const body = [];
  if (step.type === "map") {
    const rows = step.mappings.map((mapping, k) => {
      const remove = toolButton(
        `${base}-m${k}-remove`,
        "✕",
        `Remove mapping ${k + 1} of step ${j + 1} of transformation ${i + 1}`,
        () => {
          step.mappings.splice(k, 1);
          rerenderAt(step.mappings.length ? `${base}-m${Math.max(0, k - 1)}-from` : `${base}-add-mapping`);
        },
      );
      return el("div", { class: "mapping" }, [
        mapValueField(`${base}-m${k}-from`, "From value", `${path}.mappings.${k}.from`, mapping, "from"),
        mapValueField(`${base}-m${k}-to`, "To value", `${path}.mappings.${k}.to`, mapping, "to"),
        remove,
      ]);
    });
    const add = el(
      "button",
      { type: "button", class: "button secondary small", id: `${base}-add-mapping` },
      "Add mapping",
    );
    add.addEventListener("click", () => {
      step.mappings.push({ from: "", to: "" });
      rerenderAt(`${base}-m${step.mappings.length - 1}-from`);
    });
    body.push(
      el("div", { class: "field", "data-path": `${path}.mappings` }, [
        ...rows,
        el("p", { class: "field-error", id: `${base}-mappings-error`, hidden: true }),
      ]),
      el("div", { class: "add-row" }, add),
    );
  } else if (step.type === "timestamp") {
    body.push(
      field(
        `${base}-pattern`,
        "Pattern",
        `${path}.pattern`,
        bound(step, "pattern", { placeholder: "yyyy/MM/dd hh:mm", spellcheck: "false" }),
        "yyyy yy MM MMM dd d HH hh H mm ss SSS a Z XXX X, and text in '…'. Read as UTC unless the pattern has an offset.",
      ),
    );
  } else {
    body.push(field(`${base}-to`, "Cast to", `${path}.to`, castSelect(step)));
  }
  return el("li", { class: "value-step" }, [
    el("div", { class: "transformation-head" }, [
      el("h4", { text: `Step ${j + 1}: ${STEP_LABELS[step.type]}`, id: `${base}-title`, tabindex: "-1" }),
      el("div", { class: "transformation-tools" }, [
        toolButton(
          `${base}-up`,
          "↑",
          `Move step ${j + 1} of transformation ${i + 1} up`,
          () => {
            move(t.values, j, j - 1);
            rerenderAt(j - 1 === 0 ? `t${i}-v${j - 1}-down` : `t${i}-v${j - 1}-up`);
          },
          j === 0,
        ),
        toolButton(
          `${base}-down`,
          "↓",
          `Move step ${j + 1} of transformation ${i + 1} down`,
          () => {
            move(t.values, j, j + 1);
            rerenderAt(j + 1 === n - 1 ? `t${i}-v${j + 1}-up` : `t${i}-v${j + 1}-down`);
          },
          j === n - 1,
        ),
        toolButton(`${base}-remove`, "Remove", `Remove step ${j + 1} of transformation ${i + 1}`, () => {
          t.values.splice(j, 1);
          rerenderAt(`t${i}-add-step`);
        }),
      ]),
    ]),
    ...body,
  ]);
}

/**
 * @param {TransformationDraft} t
 * @param {number} i
 */
function renderTransformation(t, i) {
  const n = state.transformations.length;
  const path = `transformations.${i}`;
  const op = el(
    "select",
    {},
    Object.entries(OP_LABELS).map(([value, label]) => el("option", { value, text: label })),
  );
  op.value = t.op;
  op.addEventListener("change", () => {
    t.op = /** @type {TransformationOp} */ (op.value);
    renderTransformations(`t${i}-op`);
  });
  /** @type {HTMLElement[]} */
  const parts = [field(`t${i}-op`, "Operation", `${path}.op`, op)];
  if (t.op === "rename" || t.op === "copy") {
    parts.push(
      el("div", { class: "grid-2" }, [
        field(`t${i}-from`, "From field", `${path}.from`, bound(t, "from", { list: "known-columns" })),
        field(`t${i}-to`, "To field", `${path}.to`, bound(t, "to")),
      ]),
    );
    const stepType = el("select", { id: `t${i}-step-type` }, [
      el("option", { value: "map", text: STEP_LABELS.map }),
      el("option", { value: "timestamp", text: STEP_LABELS.timestamp }),
      el("option", { value: "cast", text: STEP_LABELS.cast }),
    ]);
    const addStep = el(
      "button",
      { type: "button", class: "button secondary small", id: `t${i}-add-step` },
      "Add value step",
    );
    addStep.addEventListener("click", () => {
      t.values.push(newValueStep(/** @type {ValueStepDraft["type"]} */ (stepType.value)));
      renderTransformations(`t${i}-v${t.values.length - 1}-title`);
    });
    parts.push(
      el("section", { class: "value-steps", "aria-label": `Value steps of transformation ${i + 1}` }, [
        el("h4", { text: t.values.length ? "Value steps, in order" : "Value steps (none)" }),
        el(
          "ol",
          {},
          t.values.map((step, j) => renderValueStep(t, i, step, j)),
        ),
        el("div", { class: "add-row" }, [
          el("label", {
            for: `t${i}-step-type`,
            class: "visually-hidden",
            text: `Kind of value step for transformation ${i + 1}`,
          }),
          stepType,
          addStep,
        ]),
      ]),
    );
  } else if (t.op === "add") {
    parts.push(
      el("div", { class: "grid-2" }, [
        field(`t${i}-field`, "Field", `${path}.field`, bound(t, "field")),
        field(
          `t${i}-value`,
          "Value",
          `${path}.value`,
          bound(t, "value"),
          'Numbers, true and false keep their type; "42" in quotes is text.',
        ),
      ]),
    );
  } else {
    parts.push(field(`t${i}-field`, "Field", `${path}.field`, bound(t, "field", { list: "known-columns" })));
  }
  return el("li", { class: "transformation", "aria-labelledby": `t${i}-title` }, [
    el("div", { class: "transformation-head" }, [
      el("h3", { id: `t${i}-title`, tabindex: "-1", text: `${i + 1}. ${OP_LABELS[t.op]}` }),
      el("div", { class: "transformation-tools" }, [
        toolButton(
          `t${i}-up`,
          "↑",
          `Move transformation ${i + 1} up`,
          () => {
            move(state.transformations, i, i - 1);
            renderTransformations(i - 1 === 0 ? `t${i - 1}-down` : `t${i - 1}-up`);
          },
          i === 0,
        ),
        toolButton(
          `t${i}-down`,
          "↓",
          `Move transformation ${i + 1} down`,
          () => {
            move(state.transformations, i, i + 1);
            renderTransformations(i + 1 === n - 1 ? `t${i + 1}-up` : `t${i + 1}-down`);
          },
          i === n - 1,
        ),
        toolButton(`t${i}-remove`, "Remove", `Remove transformation ${i + 1}`, () => {
          state.transformations.splice(i, 1);
          const left = state.transformations.length;
          renderTransformations(left ? `t${Math.min(i, left - 1)}-title` : "new-transformation-op");
        }),
      ]),
    ]),
    ...parts,
  ]);
}

/**
 * Redraws the editor after a change of its structure, keeping the keyboard where it was.
 * @param {string} [focusId]
 */
export function renderTransformations(focusId) {
  elementOf("transformations").replaceChildren(...state.transformations.map(renderTransformation));
  if (focusId) $(focusId)?.focus();
  scheduleCheck();
}

/** E-goi contact imports take no transformations: the editor gives way to a note. */
export function showTransformationsOfFormat() {
  const isEgoi = radioValue("format") === "egoi_contacts";
  elementOf("transformations-egoi").hidden = !isEgoi;
  elementOf("transformations-editor").hidden = isEgoi;
}

/** Wires Add transformation. */
export function setUpTransformations() {
  buttonOf("add-transformation").addEventListener("click", () => {
    state.transformations.push(
      newTransformation(/** @type {TransformationOp} */ (selectOf("new-transformation-op").value)),
    );
    const i = state.transformations.length - 1;
    const added = state.transformations[i];
    renderTransformations(added?.op === "rename" || added?.op === "copy" ? `t${i}-from` : `t${i}-field`);
  });
}
