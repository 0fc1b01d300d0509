// @ts-check
// The Schedule step: none, or every N days from a first run (defaults: every day, tomorrow at
// 02:00 here, shown in UTC too), and the warning that a schedule reads one uploaded file again.
import { scheduleCheck } from "./checks.js";
import { buttonOf, elementOf, inputOf, number, radioValue, setRadio, text } from "./dom.js";
import { form, initial } from "./state.js";
import { updateChoices } from "./type-and-format-steps.js";

/**
 * A datetime-local value of an ISO time, in the browser's time zone.
 * @param {string} iso
 */
export function toLocalInput(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/**
 * "2026-12-02 01:00 UTC" of a datetime-local value, read in the browser's time zone.
 * @param {string} local
 */
function utcText(local) {
  const date = local ? new Date(local) : null;
  if (!date || Number.isNaN(date.getTime())) return "";
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** Tomorrow at 02:00 in the browser's time zone, as a datetime-local value. */
function tomorrowAtTwo() {
  const date = new Date();
  date.setDate(date.getDate() + 1);
  date.setHours(2, 0, 0, 0);
  return toLocalInput(date.toISOString());
}

const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The schedule as chosen, for the config: null without one. */
export function buildSchedule() {
  if (radioValue("scheduleKind") !== "every") return null;
  const start = inputOf("start-at").value;
  const startDate = start ? new Date(start) : null;
  return {
    everyDays: number("every-days"),
    startAt: startDate && !Number.isNaN(startDate.getTime()) ? startDate.toISOString() : undefined,
    enabled: initial?.schedule?.enabled ?? true,
  };
}

/** The fields of "every few days" show only when it is chosen. */
export function showScheduleKind() {
  elementOf("schedule-every").hidden = radioValue("scheduleKind") !== "every";
}

/**
 * A schedule starts with defaults (every day, tomorrow at 02:00 here), shows its first run in
 * UTC too, and warns that scheduling an uploaded file reads that one file again each time.
 */
export function updateSchedule() {
  const every = radioValue("scheduleKind") === "every";
  const everyDays = inputOf("every-days");
  const startAt = inputOf("start-at");
  if (every) {
    if (everyDays.value === "") everyDays.value = "1";
    if (startAt.value === "") startAt.value = tomorrowAtTwo();
  }
  const utc = utcText(startAt.value);
  const zone = timeZone ? ` (${timeZone})` : "";
  elementOf("start-at-utc").textContent = utc
    ? `In your time zone${zone}: that is ${utc}.`
    : `In your time zone${zone}.`;
  const oneFile = radioValue("sourceType") === "upload" && !text("upload-watch-prefix");
  elementOf("schedule-upload-warning").hidden = !(every && oneFile);
}

/**
 * Fills the Schedule step with the stored schedule.
 * @param {{ everyDays: number, startAt: string } | null | undefined} schedule
 */
export function fillSchedule(schedule) {
  if (!schedule) return;
  setRadio("scheduleKind", "every");
  inputOf("every-days").value = String(schedule.everyDays);
  inputOf("start-at").value = toLocalInput(schedule.startAt);
}

/** Wires "Watch this prefix instead": an upload prefix in place of the schedule. */
export function setUpSchedule() {
  buttonOf("use-watch-prefix").addEventListener("click", () => {
    const prefix = text("schedule-watch-prefix");
    const watching = elementOf("schedule-watching");
    if (!prefix) {
      inputOf("schedule-watch-prefix").focus();
      watching.textContent = "Type the start of the names of the files to watch, like orders-.";
      return;
    }
    inputOf("upload-watch-prefix").value = prefix;
    setRadio("scheduleKind", "none");
    updateChoices();
    watching.textContent = `No schedule: each file uploaded with a name that starts with “${prefix}” starts this import.`;
    /** @type {HTMLInputElement | null} */ (
      form.querySelector('input[name="scheduleKind"][value="none"]')
    )?.focus();
    scheduleCheck();
  });
}
