// @ts-check
// The import config being built, from every step: what is checked, previewed and saved.
import { inputOf, radioValue } from "./dom.js";
import { buildOptions } from "./options-step.js";
import { buildSchedule } from "./schedule-step.js";
import { buildSource } from "./source-step.js";
import { buildTransformations } from "./transformations-step.js";

/** The config as the steps have it now. */
export function buildConfig() {
  const format = radioValue("format");
  return {
    name: inputOf("name").value.trim(),
    type: radioValue("type"),
    format,
    source: buildSource(),
    options: buildOptions(),
    transformations: format === "egoi_contacts" ? [] : buildTransformations(),
    schedule: buildSchedule(),
  };
}

/** What the preview reads: the config without its name and schedule, as one text to compare. */
export function previewKey() {
  const { name: _name, schedule: _schedule, ...config } = buildConfig();
  return JSON.stringify(config);
}
