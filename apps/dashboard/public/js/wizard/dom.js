// @ts-check
// Small DOM helpers of the wizard. Text from files and users only ever goes into the page
// through textContent and value, never as HTML.
import { form } from "./state.js";

/** @typedef {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} FormControl */

/**
 * An element of the page by id, when it is there.
 * @param {string} id
 * @returns {HTMLElement | null}
 */
export const $ = (id) => document.getElementById(id);

/**
 * An element the page always has, of the type expected.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`#${id} is not on the page as expected.`);
  return node;
}

/** @param {string} id */
export const inputOf = (id) => byId(id, HTMLInputElement);
/** @param {string} id */
export const selectOf = (id) => byId(id, HTMLSelectElement);
/** @param {string} id */
export const buttonOf = (id) => byId(id, HTMLButtonElement);
/** @param {string} id */
export const elementOf = (id) => byId(id, HTMLElement);

/**
 * A form control by id, when it is there: its value is what was typed or chosen.
 * @param {string} id
 * @returns {FormControl | null}
 */
export function controlOf(id) {
  const node = document.getElementById(id);
  return node instanceof HTMLInputElement ||
    node instanceof HTMLSelectElement ||
    node instanceof HTMLTextAreaElement
    ? node
    : null;
}

/**
 * @typedef {Record<string, string | number | boolean | null | undefined>} Attributes
 * @typedef {Node | string | null | undefined} ChildNode
 */

/**
 * A new element: `text` is its text, `value` and `checked` its state, any other attribute as
 * written (true gives an empty one; false, null and undefined none).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attrs]
 * @param {ChildNode | ChildNode[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "value" && "value" in node) node.value = String(value);
    else if (name === "checked" && node instanceof HTMLInputElement) node.checked = Boolean(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of /** @type {ChildNode[]} */ ([]).concat(children)) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/**
 * A labelled field with the place for its error, like the server-rendered ones.
 * @param {string} id
 * @param {string} labelText
 * @param {string} path
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
export function field(id, labelText, path, control, hint) {
  control.id = id;
  return el("div", { class: "field", "data-path": path }, [
    el("label", { for: id, text: labelText }),
    control,
    hint ? el("p", { class: "hint", id: `${id}-hint`, text: hint }) : null,
    el("p", { class: "field-error", id: `${id}-error`, hidden: true }),
  ]);
}

/**
 * The value of the radio button chosen in a group; undefined when none is.
 * @param {string} name
 * @returns {string | undefined}
 */
export function radioValue(name) {
  return /** @type {HTMLInputElement | null} */ (form.querySelector(`input[name="${name}"]:checked`))?.value;
}

/**
 * @param {string} name
 * @param {string | undefined} value
 */
export function setRadio(name, value) {
  for (const input of form.querySelectorAll(`input[name="${name}"]`)) {
    if (input instanceof HTMLInputElement) input.checked = input.value === value;
  }
}

/**
 * Adds (`on`) or removes the id of an element among those that describe a control.
 * @param {Element} control
 * @param {string} id
 * @param {boolean} on
 */
export function describedBy(control, id, on) {
  const ids = new Set((control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean));
  if (on) ids.add(id);
  else ids.delete(id);
  if (ids.size) control.setAttribute("aria-describedby", [...ids].join(" "));
  else control.removeAttribute("aria-describedby");
}

/**
 * The trimmed text of a field; undefined when empty or not on the page.
 * @param {string} id
 * @returns {string | undefined}
 */
export const text = (id) => {
  const value = controlOf(id)?.value.trim() ?? "";
  return value === "" ? undefined : value;
};

/**
 * The number typed in a field; undefined when empty or not on the page.
 * @param {string} id
 * @returns {number | undefined}
 */
export const number = (id) => {
  const value = controlOf(id)?.value.trim() ?? "";
  return value === "" ? undefined : Number(value);
};

/**
 * "1.5 MB" of a number of bytes.
 * @param {number} bytes
 */
export function formatBytes(bytes) {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Hidden by the wizard's choices (not just by being on another step).
 * @param {Element} node
 */
export function isApplicable(node) {
  for (let n = /** @type {Element | null} */ (node); n && n !== form; n = n.parentElement) {
    if (n instanceof HTMLElement && n.hidden && !n.matches("section.step")) return false;
  }
  return true;
}
