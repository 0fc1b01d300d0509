// @ts-check
// The Source step: where the file is (the upload itself is in source-upload.js), and the stored
// source's secrets, which come back as "***" and are sent back only where they were given for.
import { $, controlOf, describedBy, el, field, inputOf, number, radioValue, setRadio, text } from "./dom.js";
import { form, initial, state } from "./state.js";

const MASK = "***";

/**
 * The stored source when it is of this type: its secrets show as "***".
 * @param {string | undefined} type
 * @returns {Record<string, any>}
 */
const storedSourceOf = (type) => (initial && initial.source?.type === type ? initial.source : {});

/** @param {string} url */
const originOf = (url) => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * The stored URL headers: Authorization (any spelling) has its own field, each other one too.
 * @type {Record<string, string>}
 */
const storedHeaders = storedSourceOf("url").headers ?? {};
const authorizationName = Object.keys(storedHeaders).find((name) => name.toLowerCase() === "authorization");
const otherHeaders = Object.keys(storedHeaders)
  .filter((name) => name !== authorizationName)
  .map((name, i) => ({ name, id: `source-header-${i}` }));

/**
 * The same SFTP server (its host key is that server's): host and port, as the runs connect.
 * @param {Record<string, any>} stored
 */
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
 * @param {string | undefined} type
 * @param {Record<string, any>} stored
 */
function sameDestination(type, stored) {
  switch (type) {
    case "url": {
      const origin = originOf(text("source-url") ?? "");
      return origin !== null && origin === originOf(stored.url ?? "");
    }
    case "s3": {
      /** @param {string | undefined} value */
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

/**
 * The secret fields of a source type, each with the stored value ("***" or nothing) and its name.
 * @param {string | undefined} type
 * @returns {{ id: string, stored: string | undefined, what: string }[]}
 */
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
 * @param {string} id
 * @param {string | undefined} stored
 * @param {boolean} samePlace
 */
function secret(id, stored, samePlace) {
  const value = controlOf(id)?.value ?? "";
  if (value !== "") return value;
  return stored === MASK && samePlace ? MASK : undefined;
}

/** @param {boolean} samePlace */
function buildHeaders(samePlace) {
  /** @type {Record<string, string>} */
  const headers = {};
  const authorization = secret(
    "source-authorization",
    authorizationName ? storedHeaders[authorizationName] : undefined,
    samePlace,
  );
  if (authorization !== undefined) headers[authorizationName ?? "Authorization"] = authorization;
  for (const { name, id } of otherHeaders) {
    const value = secret(id, storedHeaders[name], samePlace);
    if (value !== undefined) headers[name] = value;
  }
  return Object.keys(headers).length ? headers : undefined;
}

/** Says, next to each stored secret that will not be sent (the source points elsewhere), to type it. */
export function updateStoredSecretNotes() {
  const type = radioValue("sourceType");
  const samePlace = sameDestination(type, storedSourceOf(type));
  for (const { id, stored, what } of secretFields(type)) {
    const input = controlOf(id);
    const note = $(`${id}-moved`);
    if (!input || !note || stored !== MASK) continue;
    // Once a new value is typed, there is nothing left to ask for.
    const unkept = !samePlace && input.value === "";
    note.hidden = !unkept;
    note.textContent = unkept
      ? `The stored ${what} is not sent to another server: type it again if this one needs it.`
      : "";
    if (!(input instanceof HTMLSelectElement))
      input.placeholder = samePlace ? "Unchanged: leave empty to keep" : "";
    describedBy(input, note.id, unkept);
  }
}

/** The source as typed, for the config. */
export function buildSource() {
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

/** The source types that fit the format chosen (an E-goi list has its own), and the chosen one's fields. */
export function showSourcesOfFormat() {
  const isEgoi = radioValue("format") === "egoi_contacts";
  for (const input of form.querySelectorAll('input[name="sourceType"]')) {
    if (!(input instanceof HTMLInputElement)) continue;
    const fits = isEgoi ? input.value === "egoi" : input.value !== "egoi";
    const card = input.closest(".radio-card");
    if (card instanceof HTMLElement) card.hidden = !fits;
    input.disabled = !fits;
    if (!fits) input.checked = false;
  }
  if (isEgoi) setRadio("sourceType", "egoi");
  const source = radioValue("sourceType");
  for (const panel of form.querySelectorAll(".source-panel")) {
    if (panel instanceof HTMLElement) panel.hidden = panel.dataset.source !== source;
  }
}

/**
 * The stored headers other than Authorization: their names, and a field each to replace one
 * (left empty, it keeps its stored value).
 */
function showOtherHeaders() {
  if (!otherHeaders.length) return;
  const box = /** @type {HTMLElement} */ ($("source-other-headers"));
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

/**
 * Fills the Source step with the stored source (its secrets stay empty and say so).
 * @param {Record<string, any>} source
 */
export function fillSource(source) {
  setRadio("sourceType", source.type);
  /** @type {Record<string, Record<string, unknown>>} */
  const byType = {
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
  };
  for (const [id, value] of Object.entries(byType[source.type] ?? {})) {
    const control = controlOf(id);
    if (control) control.value = value === undefined || value === null ? "" : String(value);
  }
  showOtherHeaders();
  // Stored secrets come back as "***": their fields stay empty and say so.
  for (const { id, stored } of secretFields(source.type)) {
    const input = $(id);
    if (!input || stored !== MASK) continue;
    const note = el("p", { class: "hint secret-moved", id: `${id}-moved`, hidden: true });
    input.closest(".field")?.querySelector(":scope > .field-error")?.before(note);
  }
  updateStoredSecretNotes();
  if (source.type === "upload") {
    inputOf("upload-watch-prefix").value = source.watchPrefix ?? "";
    const current = /** @type {HTMLElement} */ ($("upload-current"));
    current.textContent = `Current file: ${source.key}. Choose another file to replace it.`;
    current.hidden = false;
  }
}
