// @ts-check
// The Options step: the options that apply to the type and format chosen, and the user id field
// as a choice among the file's columns once they are known.
import { $, el, elementOf, inputOf, isApplicable, radioValue, selectOf, text } from "./dom.js";
import { initial, steps } from "./state.js";

/** The index of the Options step (the page's order). */
const optionsStep = steps.findIndex((s) => s.querySelector("#options-none"));

/** @param {string} id */
function optionApplies(id) {
  const wrapper = $(id)?.closest(".field");
  return wrapper ? isApplicable(wrapper) : false;
}

/** The options as chosen, for the config: defaults are left out. */
export function buildOptions() {
  /** @type {Record<string, unknown>} */
  const options = {};
  // Options the wizard does not show (a zip entry) stay as they were.
  if (initial?.options?.entry) options.entry = initial.options.entry;
  if (optionApplies("hash-user-ids") && inputOf("hash-user-ids").checked) options.hashUserIds = true;
  if (optionApplies("order-id-column") && selectOf("order-id-column").value !== "Name")
    options.orderIdColumn = "Id";
  if (optionApplies("user-id-field")) options.userIdField = text("user-id-field");
  if (optionApplies("user-id-type")) options.userIdType = text("user-id-type");
  if (optionApplies("merge-strategy") && selectOf("merge-strategy").value !== "merge")
    options.mergeStrategy = "replace";
  if (optionApplies("encoding") && selectOf("encoding").value !== "utf-8")
    options.encoding = selectOf("encoding").value;
  if (optionApplies("delimiter") && selectOf("delimiter").value !== ",")
    options.delimiter = selectOf("delimiter").value;
  return options;
}

/** Shows the options of the type and format chosen, or that the format has none. */
export function showOptionsOfFormat() {
  const type = radioValue("type");
  const format = radioValue("format");
  let anyOption = false;
  for (const wrapper of steps[optionsStep]?.querySelectorAll(".field[data-path]") ?? []) {
    if (!(wrapper instanceof HTMLElement)) continue;
    /**
     * @param {string | undefined} list
     * @param {string | undefined} value
     */
    const among = (list, value) => list === undefined || list.split(" ").includes(value ?? "");
    const { types, formats, notFormats } = wrapper.dataset;
    const fits =
      among(types, type) &&
      among(formats, format) &&
      (notFormats === undefined || !among(notFormats, format));
    wrapper.hidden = !fits;
    anyOption ||= fits;
  }
  elementOf("options-none").hidden = anyOption;
}

/**
 * Fills the options with the stored ones.
 * @param {Record<string, any>} options
 */
export function fillOptions(options) {
  inputOf("hash-user-ids").checked = options.hashUserIds === true;
  selectOf("order-id-column").value = options.orderIdColumn ?? "Name";
  /** @type {HTMLInputElement | HTMLSelectElement} */ (elementOf("user-id-field")).value =
    options.userIdField ?? "";
  selectOf("user-id-type").value = options.userIdType ?? "";
  selectOf("merge-strategy").value = options.mergeStrategy ?? "merge";
  selectOf("encoding").value = options.encoding ?? "utf-8";
  selectOf("delimiter").value = options.delimiter ?? ",";
}

/**
 * The user id field becomes a choice among the columns once they are known.
 * @param {string[]} columns
 */
export function offerColumnsAsUserIdField(columns) {
  const current = /** @type {HTMLInputElement | HTMLSelectElement} */ (elementOf("user-id-field"));
  const value = current.value;
  const select = el("select", { id: "user-id-field", class: current.className }, [
    el("option", { value: "", text: "Choose a column…" }),
    ...columns.map((c) => el("option", { value: c, text: c })),
  ]);
  if (value && !columns.includes(value)) select.append(el("option", { value, text: value }));
  select.value = value;
  for (const name of ["aria-describedby", "aria-invalid"]) {
    const attribute = current.getAttribute(name);
    if (attribute !== null) select.setAttribute(name, attribute);
  }
  current.replaceWith(select);
}
