// @ts-check
// The Type and Format steps: the name, what is imported, and the formats of that type. What is
// chosen here decides what the later steps show (updateChoices).
import { inputOf, radioValue, setRadio } from "./dom.js";
import { showMappingOfFormat } from "./mapping-step.js";
import { showOptionsOfFormat } from "./options-step.js";
import { showScheduleKind, updateSchedule } from "./schedule-step.js";
import { showSourcesOfFormat } from "./source-step.js";
import { form } from "./state.js";
import { showTransformationsOfFormat } from "./transformations-step.js";

/** The formats of the type chosen; a format of another type is unchosen. */
function showFormatsOfType() {
  const type = radioValue("type");
  for (const input of form.querySelectorAll('input[name="format"]')) {
    if (!(input instanceof HTMLInputElement)) continue;
    const card = input.closest(".radio-card");
    if (!(card instanceof HTMLElement)) continue;
    const fits = type !== undefined && (card.dataset.types ?? "").split(" ").includes(type);
    card.hidden = !fits;
    input.disabled = !fits;
    if (!fits) input.checked = false;
  }
}

/** Shows, on every step, what applies to the choices made so far. */
export function updateChoices() {
  showFormatsOfType();
  showSourcesOfFormat();
  showMappingOfFormat();
  showOptionsOfFormat();
  showTransformationsOfFormat();
  showScheduleKind();
  updateSchedule();
}

/**
 * Fills the Type and Format steps with the stored import's.
 * @param {{ name?: string, type?: string, format?: string }} config
 */
export function fillTypeAndFormat(config) {
  inputOf("name").value = config.name ?? "";
  setRadio("type", config.type);
  updateChoices();
  setRadio("format", config.format);
  updateChoices();
}
