// @ts-check
// Moving through the steps (Next, Back, the step list) and saving from the last one.
import { saveImport } from "./api.js";
import { applyErrors, focusField, runCheck, showStepError, stepErrorBox } from "./checks.js";
import { buildConfig, previewKey } from "./config.js";
import { buttonOf, elementOf } from "./dom.js";
import { showMapping } from "./mapping-step.js";
import { loadPreview, showFileProblem } from "./preview-step.js";
import { form, importId, lastStep, previewStep, state, steps } from "./state.js";

/**
 * The title of a step, as its heading says it.
 * @param {number} index
 */
export const stepTitle = (index) => steps[index]?.querySelector("h2")?.lastChild?.textContent?.trim() ?? "";

/**
 * The index of the step of this title.
 * @param {string} title
 */
export const stepIndex = (title) => steps.findIndex((_, i) => stepTitle(i) === title);

/** The index of the Mapping step. */
const mappingStep = steps.findIndex((s) => s.querySelector("#mapping-columns"));

/** @param {number} index */
const headingOf = (index) => /** @type {HTMLElement} */ (steps[index]?.querySelector("h2"));

/**
 * Shows a step (and only it), with its problems, and the keyboard on its heading.
 * @param {number} index
 */
export function goTo(index) {
  state.step = index;
  state.reached = Math.max(state.reached, index);
  steps.forEach((section, i) => {
    section.hidden = i !== index;
  });
  for (const item of document.querySelectorAll("[data-step-item]")) {
    if (!(item instanceof HTMLElement)) continue;
    const i = Number(item.dataset.stepItem);
    const link = item.querySelector("[data-goto]");
    item.classList.toggle("current", i === index);
    if (link instanceof HTMLButtonElement) {
      if (i === index) link.setAttribute("aria-current", "step");
      else link.removeAttribute("aria-current");
      // Editing, any step; a new import, the steps reached so far.
      link.disabled = !importId && i > state.reached;
    }
    item.classList.toggle("done", i < index);
  }
  showFileProblem();
  elementOf("wizard-back").hidden = index === 0;
  elementOf("wizard-next").hidden = index === lastStep;
  elementOf("wizard-save").hidden = index !== lastStep;
  applyErrors();
  headingOf(index).focus();
  if (index === previewStep) loadPreview();
  if (index === mappingStep) showMapping();
}

/** Next: the step's problems, or the next step. */
async function next() {
  if (state.uploading) {
    showStepError("Wait for the upload to finish.");
    return;
  }
  if (!(await runCheck())) return;
  state.revealed.add(state.step);
  const shown = applyErrors().filter((e) => e.step === state.step);
  const first = shown[0];
  if (first) {
    if (first.wrapper) focusField(first.wrapper);
    else stepErrorBox(state.step).focus?.();
    return;
  }
  goTo(state.step + 1);
}

/** Save: every problem, or a file that cannot be read, or the import saved and its page. */
async function save() {
  if (state.uploading) {
    showStepError("Wait for the upload to finish.");
    return;
  }
  const saveButton = buttonOf("wizard-save");
  const saving = elementOf("wizard-saving");
  if (!(await runCheck())) return;
  for (let i = 0; i <= lastStep; i++) state.revealed.add(i);
  const shown = applyErrors();
  const first = shown[0];
  if (first) {
    goTo(first.step);
    applyErrors();
    if (first.wrapper) focusField(first.wrapper);
    return;
  }
  // The file must be readable as configured: the preview of this config says, read now if the
  // config changed since (or was never previewed, on a step list jump to the schedule).
  if (state.preview.key !== previewKey()) {
    saveButton.disabled = true;
    saving.textContent = "Checking the file…";
    await loadPreview();
    saveButton.disabled = false;
    saving.textContent = "";
  }
  if (state.preview.problem && state.saveAnyway !== previewKey()) {
    showFileProblem();
    elementOf("file-problem").focus();
    return;
  }
  saveButton.disabled = true;
  saving.textContent = "Saving…";
  const result = await saveImport(importId, buildConfig());
  saveButton.disabled = false;
  saving.textContent = "";
  if (result.ok) {
    // The import's page, with the notice that it was saved.
    window.location.assign(`/imports/${encodeURIComponent(result.data.id)}`);
    return;
  }
  // The API's own words, and each of its field problems next to the field.
  const details = Array.isArray(result.details)
    ? result.details.filter((d) => d && typeof d.path === "string")
    : [];
  if (details.length) {
    state.errors = details.map((d) => ({ path: d.path, message: d.message }));
    const target = applyErrors()[0];
    if (target && target.step !== state.step) goTo(target.step);
  }
  showStepError(result.message);
  stepErrorBox(state.step).scrollIntoView({ block: "center" });
}

/** Wires Next and Save (the form's submit), Back and the step list. */
export function setUpNavigation() {
  let navigating = false;

  // One step per press: a double click does not skip a step or save twice.
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (navigating) return;
    navigating = true;
    try {
      if (state.step === lastStep) await save();
      else await next();
    } finally {
      navigating = false;
    }
  });

  buttonOf("wizard-back").addEventListener("click", () => {
    if (state.step > 0) goTo(state.step - 1);
  });

  // The step list: a click opens that step (editing, any of them), showing its problems if any.
  for (const link of document.querySelectorAll("[data-goto]")) {
    if (!(link instanceof HTMLButtonElement)) continue;
    link.addEventListener("click", async () => {
      const index = Number(link.dataset.goto);
      if (link.disabled || index === state.step || state.uploading) return;
      state.revealed.add(state.step);
      goTo(index);
      await runCheck();
    });
  }
}
