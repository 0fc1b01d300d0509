// The New Import wizard: steps, checks as you type, the upload with its progress bar, the
// transformations editor, the preview and saving. Text from files and users only ever goes
// into the page through textContent and value, never as HTML.
(() => {
  const form = document.getElementById("wizard");
  if (!form) return;

  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
  const stepPaths = JSON.parse(form.dataset.steps ?? "[]");
  const steps = [...form.querySelectorAll("section.step")];
  const lastStep = steps.length - 1;
  const previewStep = steps.findIndex((s) => s.querySelector("#preview"));
  const importId = form.dataset.importId || null;
  const initial = form.dataset.initial ? JSON.parse(form.dataset.initial) : null;
  const CSV_LIKE = new Set(["velocidi_csv", "shopify_csv", "csv", "google_tsv"]);
  const OP_LABELS = {
    rename: "Rename a field",
    copy: "Copy a field",
    add: "Add a field",
    delete: "Delete a field",
  };
  const PREVIEW_KEYS = [
    "orderId",
    "id",
    "userId",
    "email",
    "title",
    "total",
    "currency",
    "price",
    "lineItems",
    "createdAt",
  ];
  const STEP_LABELS = { map: "Map values", timestamp: "Read as a date and time", cast: "Cast" };

  const state = {
    step: 0,
    uploadKey: initial?.source?.type === "upload" ? initial.source.key : null,
    uploading: false,
    uploadError: null,
    columns: [],
    transformations: [],
    /** Steps whose every problem is shown (the user tried to leave them). */
    revealed: new Set(),
    /** Fields the user has typed in: their problems show as they type. */
    touched: new Set(),
    errors: [],
    checkSeq: 0,
    /** The furthest step reached: a new import's step list opens the steps up to it. */
    reached: 0,
    /** The last preview: of which config (previewKey), and the file's problem if it cannot be read. */
    preview: { key: null, problem: null },
    /** The config (previewKey) the user chose to save although its file cannot be read yet. */
    saveAnyway: null,
  };

  // ---------- small DOM helpers ----------

  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "value") node.value = value;
      else if (name === "checked") node.checked = Boolean(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of [].concat(children)) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  /** A labelled field with the place for its error, like the server-rendered ones. */
  function field(id, labelText, path, control, hint) {
    control.id = id;
    return el("div", { class: "field", "data-path": path }, [
      el("label", { for: id, text: labelText }),
      control,
      hint ? el("p", { class: "hint", id: `${id}-hint`, text: hint }) : null,
      el("p", { class: "field-error", id: `${id}-error`, hidden: true }),
    ]);
  }

  function radioValue(name) {
    return form.querySelector(`input[name="${name}"]:checked`)?.value;
  }

  function setRadio(name, value) {
    for (const input of form.querySelectorAll(`input[name="${name}"]`)) input.checked = input.value === value;
  }

  /** Adds (`on`) or removes the id of an element among those that describe a control. */
  function describedBy(control, id, on) {
    const ids = new Set((control.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean));
    if (on) ids.add(id);
    else ids.delete(id);
    if (ids.size) control.setAttribute("aria-describedby", [...ids].join(" "));
    else control.removeAttribute("aria-describedby");
  }

  const text = (id) => {
    const value = $(id)?.value.trim() ?? "";
    return value === "" ? undefined : value;
  };

  const number = (id) => {
    const value = $(id)?.value.trim() ?? "";
    return value === "" ? undefined : Number(value);
  };

  function formatBytes(bytes) {
    const units = ["bytes", "KB", "MB", "GB", "TB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
  }

  /** Hidden by the wizard's choices (not just by being on another step). */
  function isApplicable(node) {
    for (let n = node; n && n !== form; n = n.parentElement) {
      if (n.hidden && !n.matches("section.step")) return false;
    }
    return true;
  }

  // ---------- calls to the dashboard ----------

  async function post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", accept: "application/json", "x-csrf-token": csrf },
        body: JSON.stringify(body),
      });
    } catch {
      return { ok: false, status: 0, message: "The dashboard could not be reached: check your connection." };
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = data?.error ?? {};
      return {
        ok: false,
        status: response.status,
        message: error.message ?? `The dashboard answered ${response.status}.`,
        details: error.details,
      };
    }
    return { ok: true, data };
  }

  // ---------- the stored source's secrets ----------

  const MASK = "***";

  /** The stored source when it is of this type: its secrets show as "***". */
  const storedSourceOf = (type) => (initial && initial.source?.type === type ? initial.source : {});

  const originOf = (url) => {
    try {
      return new URL(url).origin;
    } catch {
      return null;
    }
  };

  /** The stored URL headers: Authorization (any spelling) has its own field, each other one too. */
  const storedHeaders = storedSourceOf("url").headers ?? {};
  const authorizationName = Object.keys(storedHeaders).find((name) => name.toLowerCase() === "authorization");
  const otherHeaders = Object.keys(storedHeaders)
    .filter((name) => name !== authorizationName)
    .map((name, i) => ({ name, id: `source-header-${i}` }));

  /** The same SFTP server (its host key is that server's): host and port, as the runs connect. */
  function sameSftpServer(stored) {
    return (
      typeof stored.host === "string" &&
      (text("sftp-host") ?? "").toLowerCase() === stored.host.toLowerCase() &&
      (number("sftp-port") ?? 22) === (stored.port ?? 22)
    );
  }

  /**
   * Whether the source as typed sends its secrets where the stored ones were given for: the API
   * keeps a stored secret ("***") only then, and never sends it to another server.
   */
  function sameDestination(type, stored) {
    switch (type) {
      case "url": {
        const origin = originOf(text("source-url") ?? "");
        return origin !== null && origin === originOf(stored.url ?? "");
      }
      case "s3": {
        const endpoint = (value) => (value ? originOf(value) : "aws");
        return (
          endpoint(text("s3-endpoint")) === endpoint(stored.endpoint) &&
          text("s3-access-key-id") === stored.accessKeyId
        );
      }
      case "sftp":
        return sameSftpServer(stored) && text("sftp-username") === stored.username;
      default:
        return true;
    }
  }

  /** The secret fields of a source type, each with the stored value ("***" or nothing) and its name. */
  function secretFields(type) {
    const stored = storedSourceOf(type);
    switch (type) {
      case "url":
        return [
          {
            id: "source-authorization",
            stored: authorizationName ? storedHeaders[authorizationName] : undefined,
            what: "Authorization header",
          },
          ...otherHeaders.map(({ name, id }) => ({
            id,
            stored: storedHeaders[name],
            what: `${name} header`,
          })),
        ];
      case "s3":
        return [{ id: "s3-secret-access-key", stored: stored.secretAccessKey, what: "secret access key" }];
      case "sftp":
        return [
          { id: "sftp-password", stored: stored.password, what: "password" },
          { id: "sftp-private-key", stored: stored.privateKey, what: "private key" },
        ];
      case "egoi":
        return [{ id: "egoi-api-key", stored: stored.apiKey, what: "API key" }];
      default:
        return [];
    }
  }

  /**
   * A secret as sent: the typed value; left empty, the stored one ("***") while the source still
   * points where it was given for. Elsewhere it is left out: the API would refuse "***" there,
   * and the new place may need no secret at all.
   */
  function secret(id, stored, samePlace) {
    const value = $(id)?.value ?? "";
    if (value !== "") return value;
    return stored === MASK && samePlace ? MASK : undefined;
  }

  function buildHeaders(samePlace) {
    const headers = {};
    const authorization = secret("source-authorization", storedHeaders[authorizationName], samePlace);
    if (authorization !== undefined) headers[authorizationName ?? "Authorization"] = authorization;
    for (const { name, id } of otherHeaders) {
      const value = secret(id, storedHeaders[name], samePlace);
      if (value !== undefined) headers[name] = value;
    }
    return Object.keys(headers).length ? headers : undefined;
  }

  /** Says, next to each stored secret that will not be sent (the source points elsewhere), to type it. */
  function updateStoredSecretNotes() {
    const type = radioValue("sourceType");
    const samePlace = sameDestination(type, storedSourceOf(type));
    for (const { id, stored, what } of secretFields(type)) {
      const input = $(id);
      const note = $(`${id}-moved`);
      if (!input || !note || stored !== MASK) continue;
      // Once a new value is typed, there is nothing left to ask for.
      const unkept = !samePlace && input.value === "";
      note.hidden = !unkept;
      note.textContent = unkept
        ? `The stored ${what} is not sent to another server: type it again if this one needs it.`
        : "";
      input.placeholder = samePlace ? "Unchanged: leave empty to keep" : "";
      describedBy(input, note.id, unkept);
    }
  }

  // ---------- the config being built ----------

  function buildSource() {
    const type = radioValue("sourceType");
    const stored = storedSourceOf(type);
    const samePlace = sameDestination(type, stored);
    switch (type) {
      case "upload":
        return { type, key: state.uploadKey ?? "", watchPrefix: text("upload-watch-prefix") };
      case "url": {
        const headers = buildHeaders(samePlace);
        return { type, url: text("source-url"), ...(headers ? { headers } : {}) };
      }
      case "s3":
        return {
          type,
          bucket: text("s3-bucket"),
          key: text("s3-key"),
          region: text("s3-region"),
          endpoint: text("s3-endpoint"),
          accessKeyId: text("s3-access-key-id"),
          secretAccessKey: secret("s3-secret-access-key", stored.secretAccessKey, samePlace),
        };
      case "sftp":
        return {
          type,
          host: text("sftp-host"),
          port: number("sftp-port"),
          username: text("sftp-username"),
          path: text("sftp-path"),
          password: secret("sftp-password", stored.password, samePlace),
          privateKey: secret("sftp-private-key", stored.privateKey, samePlace),
          // The host key recorded for the stored server: another host or port has its own.
          ...(stored.hostKeySha256 && sameSftpServer(stored) ? { hostKeySha256: stored.hostKeySha256 } : {}),
        };
      case "r2":
        return { type, key: text("r2-key"), watchPrefix: text("r2-watch-prefix") };
      case "egoi":
        return {
          type,
          apiKey: secret("egoi-api-key", stored.apiKey, samePlace),
          listId: number("egoi-list-id"),
        };
      default:
        return undefined;
    }
  }

  function optionApplies(id) {
    const wrapper = $(id)?.closest(".field");
    return wrapper ? isApplicable(wrapper) : false;
  }

  function buildOptions() {
    const options = {};
    // Options the wizard does not show (a zip entry) stay as they were.
    if (initial?.options?.entry) options.entry = initial.options.entry;
    if (optionApplies("hash-user-ids") && $("hash-user-ids").checked) options.hashUserIds = true;
    if (optionApplies("order-id-column") && $("order-id-column").value !== "Name")
      options.orderIdColumn = "Id";
    if (optionApplies("user-id-field")) options.userIdField = text("user-id-field");
    if (optionApplies("user-id-type")) options.userIdType = text("user-id-type");
    if (optionApplies("merge-strategy") && $("merge-strategy").value !== "merge")
      options.mergeStrategy = "replace";
    if (optionApplies("encoding") && $("encoding").value !== "utf-8") options.encoding = $("encoding").value;
    if (optionApplies("delimiter") && $("delimiter").value !== ",") options.delimiter = $("delimiter").value;
    return options;
  }

  /** "42" and "true" keep their type; "\"42\"" is the text 42; anything else is text. */
  function parseValue(raw) {
    const value = raw.trim();
    if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    if (value === "true" || value === "false") return value === "true";
    if (value === "null") return null;
    if (/^".*"$/.test(value)) return value.slice(1, -1);
    return raw;
  }

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
  const storedMapValue = (value) => ({
    text: typeof value === "string" ? value : (JSON.stringify(value) ?? ""),
    json: typeof value !== "string",
  });

  function mapValue(text, json) {
    if (!json) return text;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

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

  function buildTransformations() {
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

  function buildSchedule() {
    if (radioValue("scheduleKind") !== "every") return null;
    const start = $("start-at").value;
    const startDate = start ? new Date(start) : null;
    return {
      everyDays: number("every-days"),
      startAt: startDate && !Number.isNaN(startDate.getTime()) ? startDate.toISOString() : undefined,
      enabled: initial?.schedule?.enabled ?? true,
    };
  }

  function buildConfig() {
    const format = radioValue("format");
    return {
      name: $("name").value.trim(),
      type: radioValue("type"),
      format,
      source: buildSource(),
      options: buildOptions(),
      transformations: format === "egoi_contacts" ? [] : buildTransformations(),
      schedule: buildSchedule(),
    };
  }

  // ---------- what is shown for the choices made ----------

  function updateChoices() {
    const type = radioValue("type");
    const formatInputs = [...form.querySelectorAll('input[name="format"]')];
    for (const input of formatInputs) {
      const card = input.closest(".radio-card");
      const fits = type !== undefined && card.dataset.types.split(" ").includes(type);
      card.hidden = !fits;
      input.disabled = !fits;
      if (!fits) input.checked = false;
    }
    const format = radioValue("format");
    const isEgoi = format === "egoi_contacts";
    for (const input of form.querySelectorAll('input[name="sourceType"]')) {
      const fits = isEgoi ? input.value === "egoi" : input.value !== "egoi";
      input.closest(".radio-card").hidden = !fits;
      input.disabled = !fits;
      if (!fits) input.checked = false;
    }
    if (isEgoi) setRadio("sourceType", "egoi");
    const source = radioValue("sourceType");
    for (const panel of form.querySelectorAll(".source-panel"))
      panel.hidden = panel.dataset.source !== source;

    let anyOption = false;
    for (const wrapper of steps[3].querySelectorAll(".field[data-path]")) {
      const among = (list, value) => list === undefined || list.split(" ").includes(value);
      const { types, formats, notFormats } = wrapper.dataset;
      const fits =
        among(types, type) &&
        among(formats, format) &&
        (notFormats === undefined || !among(notFormats, format));
      wrapper.hidden = !fits;
      anyOption ||= fits;
    }
    $("options-none").hidden = anyOption;
    $("transformations-egoi").hidden = !isEgoi;
    $("transformations-editor").hidden = isEgoi;
    $("schedule-every").hidden = radioValue("scheduleKind") !== "every";
    updateSchedule();
  }

  // ---------- the schedule ----------

  /** "2026-12-02 01:00 UTC" of a datetime-local value, read in the browser's time zone. */
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

  /**
   * A schedule starts with defaults (every day, tomorrow at 02:00 here), shows its first run in
   * UTC too, and warns that scheduling an uploaded file reads that one file again each time.
   */
  function updateSchedule() {
    const every = radioValue("scheduleKind") === "every";
    if (every) {
      if ($("every-days").value === "") $("every-days").value = "1";
      if ($("start-at").value === "") $("start-at").value = tomorrowAtTwo();
    }
    const utc = utcText($("start-at").value);
    const zone = timeZone ? ` (${timeZone})` : "";
    $("start-at-utc").textContent = utc
      ? `In your time zone${zone}: that is ${utc}.`
      : `In your time zone${zone}.`;
    const oneFile = radioValue("sourceType") === "upload" && !text("upload-watch-prefix");
    $("schedule-upload-warning").hidden = !(every && oneFile);
  }

  $("use-watch-prefix").addEventListener("click", () => {
    const prefix = text("schedule-watch-prefix");
    if (!prefix) {
      $("schedule-watch-prefix").focus();
      $("schedule-watching").textContent = "Type the start of the names of the files to watch, like orders-.";
      return;
    }
    $("upload-watch-prefix").value = prefix;
    setRadio("scheduleKind", "none");
    updateChoices();
    $("schedule-watching").textContent =
      `No schedule: each file uploaded with a name that starts with “${prefix}” starts this import.`;
    form.querySelector('input[name="scheduleKind"][value="none"]').focus();
    scheduleCheck();
  });

  // ---------- errors next to their fields ----------

  function stepOfPath(path) {
    const index = stepPaths.findIndex((prefixes) =>
      prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}.`)),
    );
    return index === -1 ? 0 : index;
  }

  /** The field an error belongs to: the same path, else the closest parent or child field. */
  function fieldOfPath(path) {
    const fields = [...form.querySelectorAll("[data-path]")].filter(isApplicable);
    const exact = fields.find((f) => f.dataset.path === path);
    if (exact) return exact;
    const parents = fields.filter((f) => path.startsWith(`${f.dataset.path}.`));
    if (parents.length) return parents.sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
    return fields.find((f) => f.dataset.path.startsWith(`${path}.`)) ?? null;
  }

  function clearErrors() {
    for (const message of form.querySelectorAll(".field-error")) {
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
      box.hidden = true;
      box.textContent = "";
    }
  }

  function allErrors() {
    return state.uploadError
      ? [{ path: "source.key", message: state.uploadError }, ...state.errors]
      : state.errors;
  }

  /** Shows the errors of revealed steps and touched fields; returns them by field. */
  function applyErrors() {
    clearErrors();
    const shown = [];
    const filled = new Set();
    for (const error of allErrors()) {
      const wrapper = fieldOfPath(error.path);
      const step = wrapper ? steps.indexOf(wrapper.closest("section.step")) : stepOfPath(error.path);
      const visible = state.revealed.has(step) || (wrapper && state.touched.has(wrapper.dataset.path));
      if (!visible) continue;
      if (!wrapper) {
        const box = steps[step].querySelector(".step-error");
        box.hidden = false;
        box.textContent = box.textContent ? `${box.textContent} ${error.message}` : error.message;
        shown.push({ step, wrapper: null });
        continue;
      }
      if (filled.has(wrapper)) continue;
      filled.add(wrapper);
      const message = wrapper.querySelector(":scope > .field-error");
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

  function showStepError(message) {
    const box = steps[state.step].querySelector(".step-error");
    box.textContent = message;
    box.hidden = false;
  }

  let checkTimer = null;

  /** Asks the dashboard to check the draft as the API will; stale answers are dropped. */
  async function runCheck() {
    clearTimeout(checkTimer);
    const seq = ++state.checkSeq;
    const result = await post("/imports/check", { config: buildConfig() });
    if (seq !== state.checkSeq) return false;
    if (!result.ok) {
      showStepError(result.message);
      return false;
    }
    state.errors = result.data.errors;
    applyErrors();
    return true;
  }

  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(runCheck, 250);
  }

  function focusField(wrapper) {
    const control = wrapper.querySelector(
      "input:not([type=hidden]):not([disabled]), select, textarea, button",
    );
    (control ?? wrapper).focus();
  }

  // ---------- steps ----------

  function goTo(index) {
    state.step = index;
    state.reached = Math.max(state.reached, index);
    steps.forEach((section, i) => {
      section.hidden = i !== index;
    });
    for (const item of document.querySelectorAll("[data-step-item]")) {
      const i = Number(item.dataset.stepItem);
      const link = item.querySelector("[data-goto]");
      item.classList.toggle("current", i === index);
      if (link) {
        if (i === index) link.setAttribute("aria-current", "step");
        else link.removeAttribute("aria-current");
        // Editing, any step; a new import, the steps reached so far.
        link.disabled = !importId && i > state.reached;
      }
      item.classList.toggle("done", i < index);
    }
    showFileProblem();
    $("wizard-back").hidden = index === 0;
    $("wizard-next").hidden = index === lastStep;
    $("wizard-save").hidden = index !== lastStep;
    applyErrors();
    steps[index].querySelector("h2").focus();
    if (index === previewStep) loadPreview();
  }

  async function next() {
    if (state.uploading) {
      showStepError("Wait for the upload to finish.");
      return;
    }
    if (!(await runCheck())) return;
    state.revealed.add(state.step);
    const shown = applyErrors().filter((e) => e.step === state.step);
    if (shown.length) {
      if (shown[0].wrapper) focusField(shown[0].wrapper);
      else steps[state.step].querySelector(".step-error").focus?.();
      return;
    }
    goTo(state.step + 1);
  }

  async function save() {
    if (state.uploading) {
      showStepError("Wait for the upload to finish.");
      return;
    }
    const saving = $("wizard-saving");
    if (!(await runCheck())) return;
    for (let i = 0; i <= lastStep; i++) state.revealed.add(i);
    const shown = applyErrors();
    if (shown.length) {
      const first = shown[0];
      goTo(first.step);
      applyErrors();
      if (first.wrapper) focusField(first.wrapper);
      return;
    }
    // The file must be readable as configured: the preview of this config says, read now if the
    // config changed since (or was never previewed, on a step list jump to the schedule).
    if (state.preview.key !== previewKey()) {
      $("wizard-save").disabled = true;
      saving.textContent = "Checking the file…";
      await loadPreview();
      $("wizard-save").disabled = false;
      saving.textContent = "";
    }
    if (state.preview.problem && state.saveAnyway !== previewKey()) {
      showFileProblem();
      $("file-problem").focus();
      return;
    }
    $("wizard-save").disabled = true;
    saving.textContent = "Saving…";
    const result = await post("/imports/save", { id: importId, config: buildConfig() });
    $("wizard-save").disabled = false;
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
      const shownNow = applyErrors();
      const target = shownNow[0];
      if (target && target.step !== state.step) goTo(target.step);
    }
    showStepError(result.message);
    steps[state.step].querySelector(".step-error").scrollIntoView({ block: "center" });
  }

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

  $("wizard-back").addEventListener("click", () => {
    if (state.step > 0) goTo(state.step - 1);
  });

  // The step list: a click opens that step (editing, any of them), showing its problems if any.
  for (const link of document.querySelectorAll("[data-goto]")) {
    link.addEventListener("click", async () => {
      const index = Number(link.dataset.goto);
      if (link.disabled || index === state.step || state.uploading) return;
      state.revealed.add(state.step);
      goTo(index);
      await runCheck();
    });
  }

  // Every change is checked as it is typed; the typed field shows its problem at once. Each
  // control the stored-secret notes read (text fields, the source type) fires `input` too.
  form.addEventListener("input", (event) => {
    const wrapper = event.target.closest?.("[data-path]");
    if (wrapper) state.touched.add(wrapper.dataset.path);
    updateStoredSecretNotes();
    updateSchedule();
    showFileProblem();
    scheduleCheck();
  });
  form.addEventListener("change", (event) => {
    const name = event.target.name;
    if (name === "type" || name === "format" || name === "sourceType" || name === "scheduleKind") {
      updateChoices();
      if (name === "format") readColumnsOfFile();
    }
    if (event.target.id === "delimiter") readColumnsOfFile();
    showFileProblem();
    scheduleCheck();
  });

  // ---------- the upload ----------

  let chosenFile = null;

  async function readColumnsOfFile() {
    const file = chosenFile;
    if (!file || /\.(gz|zip)$/i.test(file.name)) return;
    const format = radioValue("format");
    const head = await file.slice(0, 64 * 1024).text();
    let columns = [];
    if (format === "jsonl" || format === "egoi_contacts") {
      const keys = new Set();
      for (const line of head.split("\n").slice(0, 20)) {
        try {
          const record = JSON.parse(line);
          if (record && typeof record === "object") for (const key of Object.keys(record)) keys.add(key);
        } catch {
          // A line cut by the 64 KB read, or not JSON: the preview will say which.
        }
      }
      columns = [...keys];
    } else if (CSV_LIKE.has(format)) {
      const delimiter = format === "google_tsv" ? "\t" : $("delimiter").value || ",";
      columns = csvHeader(head.replace(/^\uFEFF/, ""), delimiter);
    }
    if (columns.length) setColumns(columns);
  }

  /** The first record of a CSV text, quotes and all. */
  function csvHeader(head, delimiter) {
    const fields = [];
    let current = "";
    let quoted = false;
    for (let i = 0; i < head.length; i++) {
      const c = head[i];
      if (quoted) {
        if (c === '"' && head[i + 1] === '"') {
          current += '"';
          i++;
        } else if (c === '"') quoted = false;
        else current += c;
      } else if (c === '"') quoted = true;
      else if (c === delimiter) {
        fields.push(current);
        current = "";
      } else if (c === "\n" || c === "\r") break;
      else current += c;
    }
    fields.push(current);
    return fields.map((f) => f.trim()).filter(Boolean);
  }

  function setColumns(columns) {
    state.columns = columns;
    $("known-columns").replaceChildren(...columns.map((c) => el("option", { value: c })));
    // The user id field becomes a choice among the columns once they are known.
    const current = $("user-id-field");
    const value = current.value;
    const select = el("select", { id: "user-id-field", class: current.className }, [
      el("option", { value: "", text: "Choose a column…" }),
      ...columns.map((c) => el("option", { value: c, text: c })),
    ]);
    if (value && !columns.includes(value)) select.append(el("option", { value, text: value }));
    select.value = value;
    for (const name of ["aria-describedby", "aria-invalid"]) {
      if (current.hasAttribute(name)) select.setAttribute(name, current.getAttribute(name));
    }
    current.replaceWith(select);
  }

  /** The key of the stored file of the import being edited: what a cancelled upload leaves. */
  const storedUploadKey = state.uploadKey;

  /**
   * The upload on its way: its requests, and once started in parts, the URL that gives it up.
   * Each file chosen is a new upload, with its own signed URL (a URL stores one file). The
   * answers of an upload that was cancelled or replaced by another file (`stopped`) are ignored,
   * so the key kept is always that of the last file chosen.
   */
  let currentUpload = null;

  /** While a file uploads, Next and Save wait for it, and it can be cancelled. */
  function setUploading(uploading) {
    state.uploading = uploading;
    $("wizard-next").disabled = uploading;
    $("wizard-save").disabled = uploading;
    $("upload-cancel").hidden = !uploading;
  }

  /**
   * Stops the upload on its way, if any: its requests are aborted, and an upload in parts is
   * given up (its parts take space until then). Its answers are ignored from now on.
   */
  function stopUpload() {
    const upload = currentUpload;
    currentUpload = null;
    if (!upload) return;
    upload.stopped = true;
    for (const request of upload.requests) request.abort();
    giveUpParts(upload);
  }

  function giveUpParts(upload) {
    if (!upload.partsUrl || upload.givenUp) return;
    upload.givenUp = true;
    // keepalive: the DELETE still goes out when the page is being left.
    fetch(upload.partsUrl, { method: "DELETE", keepalive: true }).catch(() => {});
  }

  async function upload(file) {
    // A file chosen while another uploads replaces it: the first is stopped before this starts.
    stopUpload();
    const thisUpload = { requests: new Set(), partsUrl: null, stopped: false, givenUp: false };
    currentUpload = thisUpload;
    const finish = () => {
      currentUpload = null;
      setUploading(false);
    };
    chosenFile = file;
    state.uploadKey = null;
    state.uploadError = null;
    setUploading(true);
    state.touched.add("source.key");
    readColumnsOfFile();
    const box = $("upload-progress-box");
    const bar = $("upload-progress");
    const status = $("upload-status");
    $("upload-current").hidden = true;
    box.hidden = false;
    bar.max = Math.max(file.size, 1);
    bar.value = 0;
    status.textContent = `${file.name} · ${formatBytes(file.size)} · starting…`;
    // A new signed URL for each file: the API lets one URL store one file.
    const grant = await post("/imports/upload-url", { filename: file.name });
    if (thisUpload.stopped) return;
    if (!grant.ok) {
      finish();
      state.uploadError = grant.message;
      status.textContent = "";
      box.hidden = true;
      applyErrors();
      return;
    }
    const shown = (loaded) => {
      if (thisUpload.stopped) return;
      bar.max = Math.max(file.size, 1);
      bar.value = loaded;
      const percent = file.size > 0 ? Math.floor((loaded / file.size) * 100) : 0;
      status.textContent = `${file.name} · ${formatBytes(loaded)} of ${formatBytes(file.size)} (${percent}%)`;
    };
    try {
      await sendFile(thisUpload, grant.data.uploadUrl, file, shown);
    } catch (err) {
      if (thisUpload.stopped) return;
      finish();
      state.uploadError = err.message;
      status.textContent = err.message;
      applyErrors();
      return;
    }
    if (thisUpload.stopped) return;
    finish();
    state.uploadKey = grant.data.key;
    bar.value = bar.max;
    status.textContent = `Uploaded ${file.name} · ${formatBytes(file.size)}`;
    runCheck();
  }

  /** Stops the upload on its way and empties the file field, so that another file can be chosen. */
  function cancelUpload() {
    const name = chosenFile?.name ?? "the file";
    stopUpload();
    chosenFile = null;
    $("upload-file").value = "";
    setUploading(false);
    // Editing, the import keeps the file it had.
    state.uploadKey = storedUploadKey;
    state.uploadError = null;
    $("upload-progress").value = 0;
    $("upload-status").textContent = `The upload of ${name} was cancelled.`;
    $("upload-current").hidden = storedUploadKey === null;
  }

  $("upload-cancel").addEventListener("click", () => {
    cancelUpload();
    // The button is gone: the keyboard goes to the file field, to choose another.
    $("upload-file").focus();
    runCheck();
  });

  // Leaving the page stops an upload on its way (best effort: the DELETE of an upload in parts
  // is sent with keepalive), and a page restored from the back/forward cache shows it stopped.
  window.addEventListener("pagehide", () => {
    if (state.uploading) cancelUpload();
  });

  /**
   * Sends a file to its signed upload URL: in one PUT, or past one part's size (64 MiB, or the
   * file input's data-part-bytes) in parts of that size, since one request body is capped by
   * the hosting plan. Throws an Error whose message a person can act on.
   */
  async function sendFile(upload, uploadUrl, file, onProgress) {
    const partBytes = Number($("upload-file").dataset.partBytes) || 64 * 1024 * 1024;
    if (file.size <= partBytes) {
      expectStatus(await send(upload, "PUT", uploadUrl, file, onProgress), [200, 201]);
      return;
    }
    const withParams = (params) => {
      const url = new URL(uploadUrl, location.href);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return url.toString();
    };
    // The start is left to answer even if the upload is stopped meanwhile: only its answer names
    // the upload that R2 would otherwise keep, and that holds the URL.
    const started = expectStatus(
      await send(upload, "POST", withParams({ uploads: "" }), null, null, false),
      [201],
    );
    const { uploadId } = JSON.parse(started.text);
    upload.partsUrl = withParams({ uploadId });
    if (upload.stopped) {
      giveUpParts(upload);
      throw new Error("The upload was cancelled.");
    }
    const parts = [];
    try {
      for (let start = 0, partNumber = 1; start < file.size; start += partBytes, partNumber++) {
        const part = file.slice(start, Math.min(start + partBytes, file.size));
        const answer = expectStatus(
          await send(
            upload,
            "PUT",
            withParams({ uploadId, partNumber: String(partNumber) }),
            part,
            (loaded) => onProgress(start + loaded),
          ),
          [200],
        );
        parts.push({ partNumber, etag: JSON.parse(answer.text).etag });
      }
      expectStatus(await send(upload, "POST", upload.partsUrl, JSON.stringify({ parts })), [201]);
    } catch (err) {
      // Parts already sent take space until the upload is given up.
      giveUpParts(upload);
      throw err;
    }
  }

  function expectStatus(answer, statuses) {
    if (statuses.includes(answer.status)) return answer;
    let message = `The upload failed: the server answered ${answer.status}.`;
    try {
      message = JSON.parse(answer.text).error.message ?? message;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new Error(message);
  }

  /**
   * One request of an upload, with progress; resolves to its status and text. Stopping the
   * upload aborts it, unless it is not `abortable`.
   */
  function send(upload, method, url, body, onProgress, abortable = true) {
    return new Promise((resolve, reject) => {
      const request = new XMLHttpRequest();
      if (abortable) upload.requests.add(request);
      request.open(method, url);
      if (typeof body === "string") request.setRequestHeader("content-type", "application/json");
      if (onProgress) request.upload.addEventListener("progress", (event) => onProgress(event.loaded));
      request.addEventListener("loadend", () => upload.requests.delete(request));
      request.addEventListener("load", () => resolve({ status: request.status, text: request.responseText }));
      request.addEventListener("error", () =>
        reject(new Error("The upload failed: the connection was lost. Try again.")),
      );
      request.addEventListener("abort", () => reject(new Error("The upload was cancelled.")));
      request.send(body);
    });
  }

  $("upload-file").addEventListener("change", (event) => {
    const file = event.target.files?.[0];
    if (file) upload(file);
  });

  // ---------- the transformations editor ----------

  function newTransformation(op) {
    return { op, from: "", to: "", field: "", value: "", values: [] };
  }

  function newValueStep(type) {
    if (type === "map") return { type, mappings: [{ from: "", to: "" }] };
    if (type === "timestamp") return { type, pattern: "" };
    return { type, to: "string" };
  }

  function move(list, from, to) {
    const [item] = list.splice(from, 1);
    list.splice(to, 0, item);
  }

  function toolButton(id, textContent, label, onClick, disabled) {
    const button = el(
      "button",
      { type: "button", class: "icon-button", id, "aria-label": label, disabled },
      textContent,
    );
    button.addEventListener("click", onClick);
    return button;
  }

  /** A text input bound to a property of the editor's state. */
  function bound(target, key, attrs = {}) {
    const input = el("input", { type: "text", autocomplete: "off", value: target[key], ...attrs });
    input.addEventListener("input", () => {
      target[key] = input.value;
    });
    return input;
  }

  /** A map value's field; a stored value that is not text is marked as read as JSON. */
  function mapValueField(id, labelText, path, mapping, key) {
    const wrapper = field(id, labelText, path, bound(mapping, key, { spellcheck: "false" }));
    if (mapping[`${key}Json`]) {
      wrapper.querySelector("label").append(
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

  function castSelect(step) {
    const select = el("select");
    select.append(...$("cast-types").content.cloneNode(true).childNodes);
    select.value = step.to;
    select.addEventListener("change", () => {
      step.to = select.value;
    });
    return select;
  }

  function renderValueStep(t, i, step, j) {
    const base = `t${i}-v${j}`;
    const path = `transformations.${i}.values.${j}`;
    const n = t.values.length;
    const rerenderAt = (focusId) => renderTransformations(focusId);
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
      t.op = op.value;
      renderTransformations(`t${i}-op`);
    });
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
        t.values.push(newValueStep(stepType.value));
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
      parts.push(
        field(`t${i}-field`, "Field", `${path}.field`, bound(t, "field", { list: "known-columns" })),
      );
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

  /** Redraws the editor after a change of its structure, keeping the keyboard where it was. */
  function renderTransformations(focusId) {
    $("transformations").replaceChildren(...state.transformations.map(renderTransformation));
    if (focusId) $(focusId)?.focus();
    scheduleCheck();
  }

  $("add-transformation").addEventListener("click", () => {
    state.transformations.push(newTransformation($("new-transformation-op").value));
    const i = state.transformations.length - 1;
    renderTransformations(
      state.transformations[i].op === "rename" || state.transformations[i].op === "copy"
        ? `t${i}-from`
        : `t${i}-field`,
    );
  });

  // ---------- the preview ----------

  function cellText(value) {
    if (value === null || value === undefined) return "";
    if (Array.isArray(value)) {
      // A customer's ids read best as "email a@example.com".
      if (value.every((v) => v && typeof v === "object" && "type" in v && "value" in v)) {
        return value.map((v) => `${v.type} ${v.value}`).join(", ");
      }
      return value.every((v) => typeof v !== "object" || v === null)
        ? value.join(", ")
        : `${value.length} ${value.length === 1 ? "entry" : "entries"}`;
    }
    if (typeof value === "object") {
      return Object.entries(value)
        .map(([k, v]) => `${k}: ${typeof v === "object" && v !== null ? JSON.stringify(v) : v}`)
        .join(", ");
    }
    return String(value);
  }

  /** Long values (hashes, descriptions) are cut in the table; "All fields" shows them whole. */
  function shortCell(text) {
    if (text.length <= 26) return text;
    return el("span", { title: text, text: `${text.slice(0, 18)}…` });
  }

  function table(caption, headers, rows, kind = "items") {
    return el("div", { class: "table-wrap" }, [
      el("table", { class: `preview-table preview-${kind}` }, [
        el("caption", { class: "visually-hidden", text: caption }),
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            headers.map((h) => el("th", { scope: "col", text: h })),
          ),
        ),
        el(
          "tbody",
          {},
          rows.map((cells) =>
            el(
              "tr",
              {},
              cells.map((cell, i) =>
                el("td", { "data-label": headers[i] }, cell instanceof Node ? cell : String(cell)),
              ),
            ),
          ),
        ),
      ]),
    ]);
  }

  let previewSeq = 0;

  /** What the preview reads: the config without its name and schedule. */
  function previewKey() {
    const { name: _name, schedule: _schedule, ...config } = buildConfig();
    return JSON.stringify(config);
  }

  /**
   * What to do about a file the preview could not read, by the error's code: the step where it
   * is fixed. Mirrors the run page's advice.
   */
  const FILE_PROBLEMS = {
    missing_columns: [
      4,
      "Map the file's columns onto the fields the format needs with renames, or choose the format the file is in.",
    ],
    wrong_format: [1, "Choose the format the file is in."],
    invalid_encoding: [
      3,
      "Choose the file's encoding in the options (windows-1252 and iso-8859-1 are usual for spreadsheet exports).",
    ],
    duplicate_columns: [2, "Two columns have the same name: export the file again, or choose another."],
    empty_file: [2, "The file has no records: choose another file."],
    corrupt_archive: [2, "The archive cannot be unpacked: choose another file."],
    too_many_columns: [
      2,
      "The file has more columns than the service reads: leave out those the import does not need.",
    ],
    record_too_large: [
      2,
      "A record is past the size the service reads: check the file's quotes and line ends.",
    ],
    file_too_large: [2, "The file is past the size the service reads: split it."],
    source_not_found: [2, "Check where the file is, or put it there."],
    source_unreachable: [2, "Check that the server is up and reachable from the internet."],
    source_refused: [2, "The source refused the credentials: type them again."],
    invalid_config: [2, "Check the source."],
  };

  /** A file that is not there yet may come later: only such a source can be saved anyway. */
  const FILE_TO_COME = new Set(["source_not_found", "source_unreachable"]);
  const REMOTE_SOURCES = new Set(["url", "s3", "sftp", "r2"]);

  /**
   * The file problem of the last preview, on the steps where saving is near (the preview, the
   * schedule), while the config is the one previewed: why, where to fix it, and, for a remote
   * file that may come later, Save anyway.
   */
  function showFileProblem() {
    const box = $("file-problem");
    const problem = state.preview.problem;
    const current = problem && state.preview.key === previewKey();
    const near = state.step === previewStep || state.step === lastStep;
    if (!current || !near) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const [step, advice] = FILE_PROBLEMS[problem.code] ?? [2, "Check the source and its options."];
    const fix = el("button", {
      type: "button",
      class: "button secondary small",
      text: `Go to ${stepTitle(step)}`,
    });
    fix.addEventListener("click", () => goTo(step));
    const canWait = FILE_TO_COME.has(problem.code) && REMOTE_SOURCES.has(radioValue("sourceType"));
    const parts = [
      el("h3", { text: "This import cannot run as it is" }),
      el("p", { text: problem.message }),
      el("p", {}, [el("strong", { text: "What to do: " }), advice]),
      el("div", { class: "button-row" }, [fix]),
    ];
    if (canWait && state.step === lastStep) {
      const anyway = el(
        "button",
        { type: "button", class: "button secondary small", id: "save-anyway" },
        "Save anyway",
      );
      anyway.addEventListener("click", () => {
        state.saveAnyway = previewKey();
        form.requestSubmit($("wizard-save"));
      });
      parts[3].append(anyway);
      parts.push(
        el("p", {
          class: "hint",
          text: "Save anyway only if the file will be there by the time the import runs.",
        }),
      );
    } else if (canWait) {
      parts.push(
        el("p", {
          class: "hint",
          text: "If the file will be there by the time the import runs, it can be saved anyway on the last step.",
        }),
      );
    } else {
      parts.push(
        el("p", { class: "hint", text: "The import can be saved once its preview reads the file." }),
      );
    }
    box.replaceChildren(...parts);
    box.hidden = false;
  }

  const stepTitle = (index) => steps[index].querySelector("h2").lastChild.textContent.trim();

  async function loadPreview() {
    const box = $("preview");
    const seq = ++previewSeq;
    const key = previewKey();
    box.replaceChildren(el("p", { class: "muted", text: "Reading the first items of the source…" }));
    // Editing: the API reads the stored secrets in place of the "***" it showed.
    const result = await post("/imports/preview", {
      config: buildConfig(),
      ...(importId ? { importId } : {}),
    });
    if (seq !== previewSeq) return;
    const code = !result.ok && result.status === 422 ? result.details?.code : undefined;
    state.preview = { key, problem: code ? { code, message: result.message } : null };
    showFileProblem();
    if (!result.ok) {
      box.replaceChildren(
        code
          ? el("p", { class: "muted", text: "The preview could not read the file: see below." })
          : el("div", { class: "alert alert-error", role: "alert", text: result.message }),
      );
      return;
    }
    const { columns = [], items = [], issues = [] } = result.data;
    if (columns.length && !state.columns.length) setColumns(columns);
    const keys = [];
    for (const item of items)
      for (const key of Object.keys(item ?? {})) if (!keys.includes(key)) keys.push(key);
    // The fields that tell items apart first, then the others, as many as fit.
    const preferred = PREVIEW_KEYS.filter((key) => keys.includes(key));
    const shownKeys = [...preferred, ...keys.filter((key) => !preferred.includes(key))].slice(0, 6);
    const parts = [
      el("h3", { text: `Items (${items.length})`, id: "preview-items-heading" }),
      items.length
        ? table(
            "Preview items",
            [...shownKeys, "All fields"],
            items.map((item) => [
              ...shownKeys.map((key) =>
                key === "lineItems" && Array.isArray(item[key])
                  ? `${item[key].length} line item${item[key].length === 1 ? "" : "s"}`
                  : shortCell(cellText(item[key])),
              ),
              el("details", {}, [
                el("summary", { text: "Show" }),
                el("pre", { class: "json", text: JSON.stringify(item, null, 2) }),
              ]),
            ]),
          )
        : el("p", { class: "muted", text: "No valid items in the first records: see the issues below." }),
      el("h3", { text: `Issues (${issues.length})` }),
      issues.length
        ? table(
            "Preview issues",
            ["Row", "Item", "Field", "Message", "Value"],
            issues.map((issue) => [
              issue.row,
              issue.item ?? "—",
              issue.field ?? "—",
              issue.message,
              issue.value === null ? "(missing)" : el("code", { text: String(issue.value) }),
            ]),
            "issues",
          )
        : el("p", { class: "muted", text: "No issues in these items." }),
    ];
    if (columns.length) {
      parts.push(
        el("h3", { text: "Columns in the source" }),
        el(
          "ul",
          { class: "columns-list" },
          columns.map((c) => el("li", {}, el("code", { text: c }))),
        ),
      );
    }
    box.replaceChildren(...parts);
  }

  $("refresh-preview").addEventListener("click", loadPreview);

  // ---------- start: a new import, or the one being edited ----------

  function toLocalInput(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
    return local.toISOString().slice(0, 16);
  }

  /**
   * The stored headers other than Authorization: their names, and a field each to replace one
   * (left empty, it keeps its stored value).
   */
  function showOtherHeaders() {
    if (!otherHeaders.length) return;
    const box = $("source-other-headers");
    box.replaceChildren(
      el("p", {
        class: "muted",
        id: "source-other-headers-names",
        text: `Also sends: ${otherHeaders.map(({ name }) => `${name} (stored)`).join(", ")}`,
      }),
      ...otherHeaders.map(({ name, id }) =>
        field(
          id,
          `${name} header`,
          `source.headers.${name}`,
          el("input", { type: "password", autocomplete: "off", "data-secret": "true" }),
          "Stored encrypted. Type a new value to replace it.",
        ),
      ),
    );
    box.hidden = false;
  }

  function fill(config) {
    $("name").value = config.name ?? "";
    setRadio("type", config.type);
    updateChoices();
    setRadio("format", config.format);
    updateChoices();
    const source = config.source ?? {};
    setRadio("sourceType", source.type);
    const values = {
      url: { "source-url": source.url },
      s3: {
        "s3-bucket": source.bucket,
        "s3-key": source.key,
        "s3-region": source.region,
        "s3-endpoint": source.endpoint,
        "s3-access-key-id": source.accessKeyId,
      },
      sftp: {
        "sftp-host": source.host,
        "sftp-port": source.port,
        "sftp-username": source.username,
        "sftp-path": source.path,
      },
      r2: { "r2-key": source.key, "r2-watch-prefix": source.watchPrefix },
      egoi: { "egoi-list-id": source.listId },
    }[source.type];
    for (const [id, value] of Object.entries(values ?? {})) $(id).value = value ?? "";
    showOtherHeaders();
    // Stored secrets come back as "***": their fields stay empty and say so.
    for (const { id, stored } of secretFields(source.type)) {
      const input = $(id);
      if (!input || stored !== MASK) continue;
      const note = el("p", { class: "hint secret-moved", id: `${id}-moved`, hidden: true });
      input.closest(".field").querySelector(":scope > .field-error").before(note);
    }
    updateStoredSecretNotes();
    if (source.type === "upload") {
      $("upload-watch-prefix").value = source.watchPrefix ?? "";
      const current = $("upload-current");
      current.textContent = `Current file: ${source.key}. Choose another file to replace it.`;
      current.hidden = false;
    }
    const options = config.options ?? {};
    $("hash-user-ids").checked = options.hashUserIds === true;
    $("order-id-column").value = options.orderIdColumn ?? "Name";
    $("user-id-field").value = options.userIdField ?? "";
    $("user-id-type").value = options.userIdType ?? "";
    $("merge-strategy").value = options.mergeStrategy ?? "merge";
    $("encoding").value = options.encoding ?? "utf-8";
    $("delimiter").value = options.delimiter ?? ",";
    state.transformations = (config.transformations ?? []).map((t) => ({
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
    if (config.schedule) {
      setRadio("scheduleKind", "every");
      $("every-days").value = config.schedule.everyDays;
      $("start-at").value = toLocalInput(config.schedule.startAt);
    }
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
  $("wizard-next").disabled = false;
  $("wizard-save").disabled = false;
  if (askedIndex <= 0) $("name").focus();
})();
