// @ts-check
// The Source step's upload: the file goes straight to its signed URL with a progress bar, in
// parts past 64 MiB; Cancel, another file or leaving the page stops it.
import { uploadUrl } from "./api.js";
import { applyErrors, runCheck } from "./checks.js";
import { chosenFileName, readColumnsOfFile, setChosenFile } from "./columns.js";
import { buttonOf, elementOf, formatBytes, inputOf } from "./dom.js";
import { state } from "./state.js";

/**
 * An upload on its way: its requests, and once started in parts, the URL that gives it up.
 * @typedef {object} Upload
 * @property {Set<XMLHttpRequest>} requests
 * @property {string | null} partsUrl
 * @property {boolean} stopped
 * @property {boolean} givenUp
 */

/** The key of the stored file of the import being edited: what a cancelled upload leaves. */
const storedUploadKey = state.uploadKey;

/**
 * The upload on its way. Each file chosen is a new upload, with its own signed URL (a URL
 * stores one file). The answers of an upload that was cancelled or replaced by another file
 * (`stopped`) are ignored, so the key kept is always that of the last file chosen.
 * @type {Upload | null}
 */
let currentUpload = null;

/**
 * While a file uploads, Next and Save wait for it, and it can be cancelled.
 * @param {boolean} uploading
 */
function setUploading(uploading) {
  state.uploading = uploading;
  buttonOf("wizard-next").disabled = uploading;
  buttonOf("wizard-save").disabled = uploading;
  elementOf("upload-cancel").hidden = !uploading;
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

/** @param {Upload} upload */
function giveUpParts(upload) {
  if (!upload.partsUrl || upload.givenUp) return;
  upload.givenUp = true;
  // keepalive: the DELETE still goes out when the page is being left.
  fetch(upload.partsUrl, { method: "DELETE", keepalive: true }).catch(() => {});
}

/** @param {File} file */
async function upload(file) {
  // A file chosen while another uploads replaces it: the first is stopped before this starts.
  stopUpload();
  /** @type {Upload} */
  const thisUpload = { requests: new Set(), partsUrl: null, stopped: false, givenUp: false };
  currentUpload = thisUpload;
  const finish = () => {
    currentUpload = null;
    setUploading(false);
  };
  setChosenFile(file);
  state.uploadKey = null;
  state.uploadError = null;
  setUploading(true);
  state.touched.add("source.key");
  readColumnsOfFile();
  const box = elementOf("upload-progress-box");
  const bar = byProgress("upload-progress");
  const status = elementOf("upload-status");
  elementOf("upload-current").hidden = true;
  box.hidden = false;
  bar.max = Math.max(file.size, 1);
  bar.value = 0;
  status.textContent = `${file.name} · ${formatBytes(file.size)} · starting…`;
  // A new signed URL for each file: the API lets one URL store one file.
  const grant = await uploadUrl(file.name);
  if (thisUpload.stopped) return;
  if (!grant.ok) {
    finish();
    state.uploadError = grant.message;
    status.textContent = "";
    box.hidden = true;
    applyErrors();
    return;
  }
  /** @param {number} loaded */
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
    const message = err instanceof Error ? err.message : String(err);
    state.uploadError = message;
    status.textContent = message;
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

/** @param {string} id */
const byProgress = (id) => {
  const node = document.getElementById(id);
  if (!(node instanceof HTMLProgressElement)) throw new Error(`#${id} is not on the page as expected.`);
  return node;
};

/** Stops the upload on its way and empties the file field, so that another file can be chosen. */
function cancelUpload() {
  const name = chosenFileName() ?? "the file";
  stopUpload();
  setChosenFile(null);
  inputOf("upload-file").value = "";
  setUploading(false);
  // Editing, the import keeps the file it had.
  state.uploadKey = storedUploadKey;
  state.uploadError = null;
  byProgress("upload-progress").value = 0;
  elementOf("upload-status").textContent = `The upload of ${name} was cancelled.`;
  elementOf("upload-current").hidden = storedUploadKey === null;
}

/**
 * Sends a file to its signed upload URL: in one PUT, or past one part's size (64 MiB, or the
 * file input's data-part-bytes) in parts of that size, since one request body is capped by
 * the hosting plan. Throws an Error whose message a person can act on.
 * @param {Upload} upload
 * @param {string} uploadUrl
 * @param {File} file
 * @param {(loaded: number) => void} onProgress
 */
async function sendFile(upload, uploadUrl, file, onProgress) {
  const partBytes = Number(inputOf("upload-file").dataset.partBytes) || 64 * 1024 * 1024;
  if (file.size <= partBytes) {
    expectStatus(await send(upload, "PUT", uploadUrl, file, onProgress), [200, 201]);
    return;
  }
  /** @param {Record<string, string>} params */
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
  const partsUrl = withParams({ uploadId });
  upload.partsUrl = partsUrl;
  if (upload.stopped) {
    giveUpParts(upload);
    throw new Error("The upload was cancelled.");
  }
  /** @type {{ partNumber: number, etag: string }[]} */
  const parts = [];
  try {
    for (let start = 0, partNumber = 1; start < file.size; start += partBytes, partNumber++) {
      const part = file.slice(start, Math.min(start + partBytes, file.size));
      const answer = expectStatus(
        await send(upload, "PUT", withParams({ uploadId, partNumber: String(partNumber) }), part, (loaded) =>
          onProgress(start + loaded),
        ),
        [200],
      );
      parts.push({ partNumber, etag: JSON.parse(answer.text).etag });
    }
    expectStatus(await send(upload, "POST", partsUrl, JSON.stringify({ parts })), [201]);
  } catch (err) {
    // Parts already sent take space until the upload is given up.
    giveUpParts(upload);
    throw err;
  }
}

/**
 * The answer when its status is one of those expected; else an Error in the server's words.
 * @param {{ status: number, text: string }} answer
 * @param {number[]} statuses
 */
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
 * @param {Upload} upload
 * @param {string} method
 * @param {string} url
 * @param {Blob | string | null} body
 * @param {((loaded: number) => void) | null} [onProgress]
 * @param {boolean} [abortable]
 * @returns {Promise<{ status: number, text: string }>}
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

/** Wires the file field, Cancel upload, and the leaving of the page. */
export function setUpUpload() {
  buttonOf("upload-cancel").addEventListener("click", () => {
    cancelUpload();
    // The button is gone: the keyboard goes to the file field, to choose another.
    inputOf("upload-file").focus();
    runCheck();
  });

  // Leaving the page stops an upload on its way (best effort: the DELETE of an upload in parts
  // is sent with keepalive), and a page restored from the back/forward cache shows it stopped.
  window.addEventListener("pagehide", () => {
    if (state.uploading) cancelUpload();
  });

  inputOf("upload-file").addEventListener("change", (event) => {
    const file = /** @type {HTMLInputElement} */ (event.target).files?.[0];
    if (file) upload(file);
  });
}
