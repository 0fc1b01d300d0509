// @ts-check
// The New Import wizard, as ES modules under wizard/, one per step:
//   type-and-format-steps.js  Type and Format (and what their choices show on the other steps)
//   source-step.js            Source, and the stored source's secrets
//   source-upload.js          the upload with its progress bar, in parts past 64 MiB
//   mapping-step.js           Mapping: the file's columns onto the format's fields
//   options-step.js           Options
//   transformations-step.js   Transformations
//   preview-step.js           Preview, and the file problem that blocks Save
//   schedule-step.js          Schedule
// with the shared state in state.js, the calls to the dashboard in api.js, the config built from
// the steps in config.js, the checks as you type in checks.js and Next, Back and Save in
// steps.js. The modules call each other's functions only after all of them have loaded: at load
// they only wire their controls. Text from files and users only ever goes into the page through
// textContent and value, never as HTML.
import { scheduleCheck } from "./wizard/checks.js";
import { readColumnsOfFile } from "./wizard/columns.js";
import { buttonOf, inputOf, setRadio } from "./wizard/dom.js";
import { fillOptions } from "./wizard/options-step.js";
import { setUpPreview, showFileProblem } from "./wizard/preview-step.js";
import { fillSchedule, setUpSchedule, updateSchedule } from "./wizard/schedule-step.js";
import { fillSource, updateStoredSecretNotes } from "./wizard/source-step.js";
import { setUpUpload } from "./wizard/source-upload.js";
import { form, importId, initial, state, steps } from "./wizard/state.js";
import { goTo, setUpNavigation, stepTitle } from "./wizard/steps.js";
import { draftsOf, renderTransformations, setUpTransformations } from "./wizard/transformations-step.js";
import { fillTypeAndFormat, updateChoices } from "./wizard/type-and-format-steps.js";

setUpPreview();
setUpSchedule();
setUpNavigation();
setUpUpload();
setUpTransformations();

// Every change is checked as it is typed; the typed field shows its problem at once. Each
// control the stored-secret notes read (text fields, the source type) fires `input` too.
form.addEventListener("input", (event) => {
  const target = event.target;
  const wrapper = target instanceof Element ? target.closest("[data-path]") : null;
  if (wrapper instanceof HTMLElement && wrapper.dataset.path) state.touched.add(wrapper.dataset.path);
  updateStoredSecretNotes();
  updateSchedule();
  showFileProblem();
  scheduleCheck();
});
form.addEventListener("change", (event) => {
  const target = event.target;
  const name = target instanceof HTMLInputElement ? target.name : undefined;
  if (name === "type" || name === "format" || name === "sourceType" || name === "scheduleKind") {
    updateChoices();
    if (name === "format") readColumnsOfFile();
  }
  if (target instanceof Element && target.id === "delimiter") readColumnsOfFile();
  showFileProblem();
  scheduleCheck();
});

// ---------- start: a new import, or the one being edited ----------

/** @param {import("./wizard/state.js").StoredConfig} config */
function fill(config) {
  fillTypeAndFormat(config);
  fillSource(config.source ?? {});
  fillOptions(config.options ?? {});
  state.transformations = draftsOf(config.transformations ?? []);
  fillSchedule(config.schedule);
}

setRadio("scheduleKind", "none");
if (initial) fill(initial);
updateChoices();
renderTransformations();
// A link can open the wizard of an import on the step to change (?step=options).
const asked = new URLSearchParams(window.location.search).get("step");
const askedIndex = importId && asked ? steps.findIndex((_, i) => stepTitle(i).toLowerCase() === asked) : -1;
goTo(Math.max(askedIndex, 0));
// The wizard works from here on (the page renders Next and Save disabled until then).
buttonOf("wizard-next").disabled = false;
buttonOf("wizard-save").disabled = false;
if (askedIndex <= 0) inputOf("name").focus();
