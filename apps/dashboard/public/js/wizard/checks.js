// @ts-check
// Errors next to their fields: the draft is checked as it is typed (as the API will check it on
// save), and each problem shows at its field once its step is revealed or the field touched.
import { checkDraft } from "./api.js";
import { buildConfig } from "./config.js";
import { describedBy, isApplicable } from "./dom.js";
import { form, state, stepPaths, steps } from "./state.js";

/**
 * The step that sets a config path.
 * @param {string} path
 */
function stepOfPath(path) {
  const index = stepPaths.findIndex((prefixes) =>
    prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}.`)),
  );
  return index === -1 ? 0 : index;
}

/**
 * The field an error belongs to: the same path, else the closest parent or child field.
 * @param {string} path
 * @returns {HTMLElement | null}
 */
function fieldOfPath(path) {
  const fields = [...form.querySelectorAll("[data-path]")].filter(
    /** @returns {f is HTMLElement} */ (f) => f instanceof HTMLElement && isApplicable(f),
  );
  const pathOf = (/** @type {HTMLElement} */ f) => f.dataset.path ?? "";
  const exact = fields.find((f) => pathOf(f) === path);
  if (exact) return exact;
  const parents = fields.filter((f) => path.startsWith(`${pathOf(f)}.`));
  if (parents.length) return parents.sort((a, b) => pathOf(b).length - pathOf(a).length)[0] ?? null;
  return fields.find((f) => pathOf(f).startsWith(`${path}.`)) ?? null;
}

function clearErrors() {
  for (const message of form.querySelectorAll(".field-error")) {
    if (!(message instanceof HTMLElement)) continue;
    message.hidden = true;
    message.textContent = "";
  }
  for (const wrapper of form.querySelectorAll(".field.invalid")) wrapper.classList.remove("invalid");
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    for (const id of (control.getAttribute("aria-describedby") ?? "").split(" ")) {
      if (id.endsWith("-error")) describedBy(control, id, false);
    }
  }
  for (const box of form.querySelectorAll(".step-error")) {
    if (!(box instanceof HTMLElement)) continue;
    box.hidden = true;
    box.textContent = "";
  }
}

function allErrors() {
  return state.uploadError
    ? [{ path: "source.key", message: state.uploadError }, ...state.errors]
    : state.errors;
}

/**
 * The box of a step's problems that belong to no field.
 * @param {number} step
 */
export const stepErrorBox = (step) => /** @type {HTMLElement} */ (steps[step]?.querySelector(".step-error"));

/**
 * Shows the errors of revealed steps and touched fields; returns them by field.
 * @returns {{ step: number, wrapper: HTMLElement | null }[]}
 */
export function applyErrors() {
  clearErrors();
  /** @type {{ step: number, wrapper: HTMLElement | null }[]} */
  const shown = [];
  /** @type {Set<HTMLElement>} */
  const filled = new Set();
  for (const error of allErrors()) {
    const wrapper = fieldOfPath(error.path);
    const section = wrapper?.closest("section.step");
    const step = wrapper && section instanceof HTMLElement ? steps.indexOf(section) : stepOfPath(error.path);
    const visible = state.revealed.has(step) || (wrapper && state.touched.has(wrapper.dataset.path ?? ""));
    if (!visible) continue;
    if (!wrapper) {
      const box = stepErrorBox(step);
      box.hidden = false;
      box.textContent = box.textContent ? `${box.textContent} ${error.message}` : error.message;
      shown.push({ step, wrapper: null });
      continue;
    }
    if (filled.has(wrapper)) continue;
    filled.add(wrapper);
    const message = /** @type {HTMLElement} */ (wrapper.querySelector(":scope > .field-error"));
    message.textContent = error.message;
    message.hidden = false;
    wrapper.classList.add("invalid");
    const control = wrapper.querySelector("input:not([type=hidden]), select, textarea");
    if (control) {
      control.setAttribute("aria-invalid", "true");
      describedBy(control, message.id, true);
    }
    shown.push({ step, wrapper });
  }
  return shown;
}

/**
 * A problem of the whole step, at its top.
 * @param {string} message
 */
export function showStepError(message) {
  const box = stepErrorBox(state.step);
  box.textContent = message;
  box.hidden = false;
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let checkTimer;

/** The newest check, which answers for the draft as it is now. @type {Promise<boolean>} */
let newestCheck = Promise.resolve(true);

/**
 * Asks the dashboard to check the draft as the API will. Resolves to whether the check was
 * answered (and its errors applied). A check overtaken by a newer one (the draft changed while it
 * was asked, or a change scheduled its own) resolves as the newer one does, so that Next or Save
 * pressed meanwhile is never dropped.
 * @returns {Promise<boolean>}
 */
export function runCheck() {
  clearTimeout(checkTimer);
  const seq = ++state.checkSeq;
  const check = (async () => {
    const result = await checkDraft(buildConfig());
    if (seq !== state.checkSeq) return newestCheck;
    if (!result.ok) {
      showStepError(result.message);
      return false;
    }
    state.errors = result.data.errors;
    applyErrors();
    return true;
  })();
  newestCheck = check;
  return check;
}

/** Checks the draft a moment after the last change. */
export function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(runCheck, 250);
}

/**
 * Puts the keyboard on a field's control.
 * @param {HTMLElement} wrapper
 */
export function focusField(wrapper) {
  const control = wrapper.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button");
  (control instanceof HTMLElement ? control : wrapper).focus();
}
