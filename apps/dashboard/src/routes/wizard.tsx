import { BUILT_IN_ID_TYPES, CAST_TYPES, ENCODINGS, FORMATS_BY_TYPE, mappingTarget } from "@cdp/core";
import type { Child } from "hono/jsx";
import type { ImportView, UploadGrant } from "../api";
import { type DashboardApp, keyRefused, setFlash } from "../app";
import { FORMAT_LABELS, label, SOURCE_LABELS, TYPE_HINTS, TYPE_LABELS } from "../labels";
import { Alert, Crumbs, HOME_CRUMB, Layout } from "../layout";
import { checkDraft } from "../wizard-check";
import { apiStatus } from "./imports";

/** The wizard's steps, in order, with the config fields each one sets. */
export const WIZARD_STEPS = [
  { title: "Type", paths: ["name", "type"] },
  { title: "Format", paths: ["format"] },
  { title: "Source", paths: ["source"] },
  { title: "Mapping", paths: [] },
  { title: "Options", paths: ["options"] },
  { title: "Transformations", paths: ["transformations"] },
  { title: "Preview", paths: [] },
  { title: "Schedule", paths: ["schedule"] },
] as const;

const CSV_FORMATS = "velocidi_csv shopify_csv csv";
const USER_ID_FORMATS = "csv jsonl";
const DELIMITERS: readonly { value: string; label: string }[] = [
  { value: ",", label: "Comma , (default)" },
  { value: ";", label: "Semicolon ;" },
  { value: "\t", label: "Tab" },
  { value: "|", label: "Pipe |" },
];

/**
 * A stored value that is not among a select's choices (the API takes any id type and any
 * one-character delimiter): offered as a choice of its own, so that the wizard can show it and
 * save it back unchanged. wizard.js selects the stored values.
 */
function StoredChoice(props: { value: unknown; known: readonly string[]; label: (value: string) => string }) {
  const { value } = props;
  if (typeof value !== "string" || value === "" || props.known.includes(value)) return null;
  return <option value={value}>{props.label(value)}</option>;
}

/** A labelled field with the place for its error; `path` is the config field it sets. */
function Field(props: {
  id: string;
  label: string;
  path: string;
  hint?: string;
  class?: string;
  children: Child;
  attrs?: Record<string, string>;
}) {
  return (
    <div class={`field${props.class ? ` ${props.class}` : ""}`} data-path={props.path} {...props.attrs}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <p class="field-error" id={`${props.id}-error`} hidden />
    </div>
  );
}

/** A group of radio buttons with a legend and the place for its error. */
function Choice(props: { name: string; legend: string; path: string; children: Child }) {
  return (
    <fieldset class="field choice" data-path={props.path}>
      <legend>{props.legend}</legend>
      <div class="choices">{props.children}</div>
      <p class="field-error" id={`${props.name}-error`} hidden />
    </fieldset>
  );
}

function Radio(props: {
  name: string;
  value: string;
  label: string;
  hint?: string;
  attrs?: Record<string, string>;
}) {
  const id = `${props.name}-${props.value}`;
  return (
    <div class="radio-card" {...props.attrs}>
      <input type="radio" id={id} name={props.name} value={props.value} />
      <label for={id}>
        <span class="radio-title">{props.label}</span>
        {props.hint ? <span class="radio-hint">{props.hint}</span> : null}
      </label>
    </div>
  );
}

function Step(props: { index: number; children: Child }) {
  const step = WIZARD_STEPS[props.index];
  return (
    <section
      class="step"
      data-step={String(props.index)}
      aria-labelledby={`step-${props.index}-heading`}
      hidden={props.index > 0}
    >
      <h2 id={`step-${props.index}-heading`} tabindex={-1}>
        <span class="step-number">
          Step {props.index + 1} of {WIZARD_STEPS.length}
        </span>{" "}
        {step?.title}
      </h2>
      <div class="step-error alert alert-error" role="alert" tabindex={-1} hidden />
      {props.children}
    </section>
  );
}

function TypeStep() {
  return (
    <Step index={0}>
      <Field id="name" label="Name" path="name" hint="How the import is listed, like “Historic orders”.">
        <input id="name" name="name" type="text" maxlength={200} autocomplete="off" required />
      </Field>
      <Choice name="type" legend="What do you import?" path="type">
        {Object.keys(FORMATS_BY_TYPE).map((type) => (
          <Radio name="type" value={type} label={label(TYPE_LABELS, type)} hint={TYPE_HINTS[type]} />
        ))}
      </Choice>
    </Step>
  );
}

function FormatStep() {
  const formats = new Map<string, string[]>();
  for (const [type, list] of Object.entries(FORMATS_BY_TYPE)) {
    for (const format of list) formats.set(format, [...(formats.get(format) ?? []), type]);
  }
  return (
    <Step index={1}>
      <Choice name="format" legend="Format of the data" path="format">
        {[...formats].map(([format, types]) => (
          <Radio
            name="format"
            value={format}
            label={label(FORMAT_LABELS, format)}
            attrs={{ "data-types": types.join(" ") }}
          />
        ))}
      </Choice>
    </Step>
  );
}

function SourceStep() {
  return (
    <Step index={2}>
      <Choice name="sourceType" legend="Where is the data?" path="source.type">
        {Object.keys(SOURCE_LABELS).map((type) => (
          <Radio name="sourceType" value={type} label={label(SOURCE_LABELS, type)} />
        ))}
      </Choice>
      <div class="source-panel" data-source="upload" hidden>
        <Field
          id="upload-file"
          label="File"
          path="source.key"
          hint="CSV, TSV, JSON lines or XML; gzip and zip files too. It goes straight to storage."
        >
          <input id="upload-file" type="file" />
        </Field>
        <div class="upload-progress" id="upload-progress-box" hidden>
          <label for="upload-progress">Upload progress</label>
          <progress id="upload-progress" max={100} value={0} />
          <p id="upload-status" class="upload-status" aria-live="polite" />
          <button type="button" class="button secondary small" id="upload-cancel" hidden>
            Cancel upload
          </button>
        </div>
        <p id="upload-current" class="muted" hidden />
        <Field
          id="upload-watch-prefix"
          label="Watch prefix (optional)"
          path="source.watchPrefix"
          hint="Each file uploaded later whose name starts with this starts the import, like orders-."
        >
          <input id="upload-watch-prefix" type="text" autocomplete="off" spellcheck={false} />
        </Field>
      </div>
      <div class="source-panel" data-source="url" hidden>
        <Field id="source-url" label="URL of the file" path="source.url">
          <input
            id="source-url"
            type="url"
            inputmode="url"
            autocomplete="off"
            placeholder="https://example.com/orders.csv"
          />
        </Field>
        <Field
          id="source-authorization"
          label="Authorization header (optional)"
          path="source.headers"
          hint="Sent with the request, like “Bearer abc123”. Stored encrypted."
        >
          <input id="source-authorization" type="password" autocomplete="off" data-secret="true" />
        </Field>
        {/* Editing: the stored headers other than Authorization (wizard.js fills it). */}
        <div id="source-other-headers" hidden />
      </div>
      <div class="source-panel grid-2" data-source="s3" hidden>
        <Field id="s3-bucket" label="Bucket" path="source.bucket">
          <input id="s3-bucket" type="text" autocomplete="off" />
        </Field>
        <Field
          id="s3-key"
          label="Object key"
          path="source.key"
          hint="The path of the file in the bucket, like exports/orders.csv."
        >
          <input id="s3-key" type="text" autocomplete="off" />
        </Field>
        <Field id="s3-region" label="Region (optional)" path="source.region">
          <input id="s3-region" type="text" autocomplete="off" placeholder="eu-west-1" />
        </Field>
        <Field
          id="s3-endpoint"
          label="Endpoint (optional)"
          path="source.endpoint"
          hint="For S3-compatible storage other than AWS."
        >
          <input id="s3-endpoint" type="url" autocomplete="off" />
        </Field>
        <Field id="s3-access-key-id" label="Access key id" path="source.accessKeyId">
          <input id="s3-access-key-id" type="text" autocomplete="off" />
        </Field>
        <Field
          id="s3-secret-access-key"
          label="Secret access key"
          path="source.secretAccessKey"
          hint="Stored encrypted."
        >
          <input id="s3-secret-access-key" type="password" autocomplete="off" data-secret="true" />
        </Field>
      </div>
      <div class="source-panel grid-2" data-source="sftp" hidden>
        <Field id="sftp-host" label="Host" path="source.host">
          <input id="sftp-host" type="text" autocomplete="off" placeholder="sftp.example.com" />
        </Field>
        <Field id="sftp-port" label="Port (optional)" path="source.port">
          <input id="sftp-port" type="number" min={1} max={65535} inputmode="numeric" placeholder="22" />
        </Field>
        <Field id="sftp-username" label="User name" path="source.username">
          <input id="sftp-username" type="text" autocomplete="off" />
        </Field>
        <Field id="sftp-path" label="Path of the file" path="source.path">
          <input id="sftp-path" type="text" autocomplete="off" placeholder="/exports/orders.csv" />
        </Field>
        <Field
          id="sftp-password"
          label="Password"
          path="source.password"
          hint="A password or a private key. Stored encrypted."
        >
          <input id="sftp-password" type="password" autocomplete="off" data-secret="true" />
        </Field>
        <Field id="sftp-private-key" label="Private key (optional)" path="source.privateKey" class="wide">
          <textarea id="sftp-private-key" rows={4} autocomplete="off" spellcheck={false} data-secret="true" />
        </Field>
      </div>
      <div class="source-panel grid-2" data-source="r2" hidden>
        <Field
          id="r2-key"
          label="Key of the file (optional)"
          path="source.key"
          hint="Inside your inbox, tenants/<tenant id>/inbox/ of the files bucket, like exports/orders.csv."
        >
          <input id="r2-key" type="text" autocomplete="off" />
        </Field>
        <Field
          id="r2-watch-prefix"
          label="Watch prefix (optional)"
          path="source.watchPrefix"
          hint="Each file put into your inbox under this prefix starts the import, like daily/."
        >
          <input id="r2-watch-prefix" type="text" autocomplete="off" />
        </Field>
      </div>
      <div class="source-panel grid-2" data-source="egoi" hidden>
        <Field id="egoi-api-key" label="E-goi API key" path="source.apiKey" hint="Stored encrypted.">
          <input id="egoi-api-key" type="password" autocomplete="off" data-secret="true" />
        </Field>
        <Field id="egoi-list-id" label="List id" path="source.listId">
          <input id="egoi-list-id" type="number" min={1} inputmode="numeric" />
        </Field>
      </div>
    </Step>
  );
}

/**
 * The fields each type and format reads, which a file's columns can be mapped onto (E-goi lists
 * have none): "orders velocidi_csv" → [{ field, required }]. mapping-step.js offers them.
 */
function mappingFields(): Record<string, { field: string; required: boolean }[]> {
  const fields: Record<string, { field: string; required: boolean }[]> = {};
  for (const [type, formats] of Object.entries(FORMATS_BY_TYPE)) {
    for (const format of formats) {
      const target = mappingTarget(type, format);
      if (target)
        fields[`${type} ${format}`] = target.fields.map(({ field, required }) => ({ field, required }));
    }
  }
  return fields;
}

function MappingStep() {
  return (
    <Step index={3}>
      <p class="muted" id="mapping-none" hidden>
        E-goi contact lists have fixed fields: there are no columns to map.
      </p>
      <div id="mapping-editor">
        <p class="muted" id="mapping-intro">
          Each column of the file, with its first values, and the field it fills. The suggestions are filled
          in: change any of them, or leave a column out. The mapping is saved as rename transformations, which
          the Transformations step shows too.
        </p>
        <p id="mapping-status" class="muted" role="status" />
        <div id="mapping-columns" />
        <section
          id="mapping-required"
          class="mapping-required"
          aria-labelledby="mapping-required-heading"
          hidden
        >
          <h3 id="mapping-required-heading" tabindex={-1}>
            Required fields
          </h3>
          <div id="mapping-required-body" />
        </section>
        <section id="mapping-preview" class="preview" aria-labelledby="mapping-preview-heading" hidden>
          <h3 id="mapping-preview-heading">Preview of the first items</h3>
          <p id="mapping-preview-status" class="muted" role="status" />
          <div id="mapping-preview-body" />
        </section>
      </div>
    </Step>
  );
}

function OptionsStep(props: { stored?: Record<string, unknown> }) {
  const stored = props.stored ?? {};
  return (
    <Step index={4}>
      <p class="muted" id="options-none" hidden>
        This format has no options.
      </p>
      <div class="grid-2">
        <div
          class="field checkbox"
          data-path="options.hashUserIds"
          data-types="orders customers"
          data-not-formats="egoi_contacts"
        >
          <input id="hash-user-ids" type="checkbox" />
          <label for="hash-user-ids" class="checkbox-label">
            Hash user ids
          </label>
          <p class="hint">Plain e-mail addresses and phone numbers are stored as their SHA-256.</p>
          <p class="field-error" id="hash-user-ids-error" hidden />
        </div>
        <Field
          id="order-id-column"
          label="Order id column"
          path="options.orderIdColumn"
          attrs={{ "data-formats": "shopify_csv" }}
          hint="The Shopify column that identifies an order: it must match the orderId of tracking events."
        >
          <select id="order-id-column">
            <option value="Name">Name (default)</option>
            <option value="Id">Id</option>
          </select>
        </Field>
        <Field
          id="user-id-field"
          label="User id field"
          path="options.userIdField"
          attrs={{ "data-formats": USER_ID_FORMATS, "data-types": "customers" }}
          hint="The column or field holding each customer's id; picked from the file's columns once they are known."
        >
          <input id="user-id-field" type="text" autocomplete="off" list="known-columns" />
        </Field>
        <Field
          id="user-id-type"
          label="User id type"
          path="options.userIdType"
          attrs={{ "data-formats": USER_ID_FORMATS, "data-types": "customers" }}
        >
          <select id="user-id-type">
            <option value="">Choose…</option>
            {BUILT_IN_ID_TYPES.map((type) => (
              <option value={type}>{type}</option>
            ))}
            <StoredChoice value={stored.userIdType} known={BUILT_IN_ID_TYPES} label={(type) => type} />
          </select>
        </Field>
        <Field
          id="merge-strategy"
          label="Merge strategy"
          path="options.mergeStrategy"
          attrs={{ "data-types": "customers", "data-not-formats": "egoi_contacts" }}
          hint="Merge keeps attributes the file does not have; replace sets the profile to the file's record."
        >
          <select id="merge-strategy">
            <option value="merge">Merge (default)</option>
            <option value="replace">Replace</option>
          </select>
        </Field>
        <Field
          id="encoding"
          label="Encoding"
          path="options.encoding"
          attrs={{ "data-not-formats": "egoi_contacts" }}
        >
          <select id="encoding">
            {ENCODINGS.map((encoding) => (
              <option value={encoding}>{encoding === "utf-8" ? "utf-8 (default)" : encoding}</option>
            ))}
          </select>
        </Field>
        <Field
          id="delimiter"
          label="Delimiter"
          path="options.delimiter"
          attrs={{ "data-formats": CSV_FORMATS }}
        >
          <select id="delimiter">
            {DELIMITERS.map(({ value, label }) => (
              <option value={value}>{label}</option>
            ))}
            <StoredChoice
              value={stored.delimiter}
              known={DELIMITERS.map((d) => d.value)}
              label={(delimiter) => `${JSON.stringify(delimiter)} (stored)`}
            />
          </select>
        </Field>
      </div>
      <datalist id="known-columns" />
    </Step>
  );
}

function TransformationsStep() {
  return (
    <Step index={5}>
      <p class="muted" id="transformations-egoi" hidden>
        E-goi contact imports do not allow transformations.
      </p>
      <div id="transformations-editor">
        <p class="muted">
          Rename, copy, add and delete fields before they are checked. Renamed and copied values can be
          mapped, read as dates or cast, in order. Each change is checked as you type.
        </p>
        <ol id="transformations" class="transformations" aria-label="Transformations" />
        <div class="add-transformation">
          <label for="new-transformation-op">New transformation</label>
          <select id="new-transformation-op">
            <option value="rename">Rename a field</option>
            <option value="copy">Copy a field</option>
            <option value="add">Add a field</option>
            <option value="delete">Delete a field</option>
          </select>
          <button type="button" class="button secondary" id="add-transformation">
            Add transformation
          </button>
        </div>
      </div>
      <template id="cast-types">
        {CAST_TYPES.map((type) => (
          <option value={type}>{type}</option>
        ))}
      </template>
    </Step>
  );
}

function PreviewStep() {
  return (
    <Step index={6}>
      <p class="muted">
        The first 20 items of the source as they will be imported, and the problems found in them.
      </p>
      <button type="button" class="button secondary" id="refresh-preview">
        Refresh preview
      </button>
      <div id="preview" class="preview" aria-live="polite" />
    </Step>
  );
}

function ScheduleStep() {
  return (
    <Step index={7}>
      <Choice name="scheduleKind" legend="When does it run?" path="schedule">
        <Radio
          name="scheduleKind"
          value="none"
          label="No schedule"
          hint="Run it from the imports list when you want."
        />
        <Radio
          name="scheduleKind"
          value="every"
          label="Every few days"
          hint="From a start time, every N days."
        />
      </Choice>
      <div id="schedule-every" class="grid-2" hidden>
        <Field id="every-days" label="Every how many days" path="schedule.everyDays">
          <input id="every-days" type="number" min={1} max={365} inputmode="numeric" />
        </Field>
        <Field id="start-at" label="First run" path="schedule.startAt">
          <input id="start-at" type="datetime-local" aria-describedby="start-at-utc" />
          <p class="hint" id="start-at-utc" aria-live="polite">
            In your time zone.
          </p>
        </Field>
      </div>
      {/* An uploaded file is one file: a schedule reads it again and again (wizard.js shows this). */}
      <div id="schedule-upload-warning" class="warning-note schedule-warning" hidden>
        <p>
          <strong>A schedule re-imports the same uploaded file each time:</strong> its items come back as
          unchanged. To import each new file as it is uploaded, watch an upload prefix instead.
        </p>
        <div class="add-row">
          <label for="schedule-watch-prefix">Files whose name starts with</label>
          <input
            id="schedule-watch-prefix"
            type="text"
            autocomplete="off"
            spellcheck={false}
            placeholder="orders-"
          />
          <button type="button" class="button secondary small" id="use-watch-prefix">
            Watch this prefix instead
          </button>
        </div>
      </div>
      <p id="schedule-watching" class="muted" role="status" />
    </Step>
  );
}

function WizardPage(props: { csrf: string; existing?: ImportView; error?: string }) {
  const { existing } = props;
  const title = existing ? `Edit ${existing.name}` : "New Import";
  return (
    <Layout title={title} csrf={props.csrf} modules={["wizard.js"]}>
      <Crumbs
        trail={[
          HOME_CRUMB,
          ...(existing
            ? [
                {
                  text: existing.name,
                  href: `/imports/${encodeURIComponent(existing.id)}`,
                  class: "import-name",
                },
              ]
            : []),
        ]}
        here={{ text: existing ? "Edit" : "New Import" }}
      />
      <h1>
        {existing ? (
          <>
            Edit <span class="import-name">{existing.name}</span>
          </>
        ) : (
          "New Import"
        )}
      </h1>
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
      <noscript>
        <Alert kind="error">The New Import wizard needs JavaScript: turn it on for this site.</Alert>
      </noscript>
      <div class="wizard">
        <nav aria-label="Steps of the wizard">
          <ol class="step-list">
            {WIZARD_STEPS.map((step, i) => (
              <li data-step-item={String(i)}>
                {/* Editing, every step can be opened; a new import's, those already reached (wizard.js). */}
                <button
                  type="button"
                  class="step-link"
                  data-goto={String(i)}
                  aria-current={i === 0 ? "step" : undefined}
                  disabled={!existing && i > 0}
                >
                  <span class="step-dot" aria-hidden="true">
                    {i + 1}
                  </span>{" "}
                  <span class="step-title">
                    <span class="visually-hidden">Step {i + 1}: </span>
                    {step.title}
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </nav>
        <form
          id="wizard"
          class="card wizard-form"
          novalidate
          data-import-id={existing?.id}
          data-initial={existing ? JSON.stringify(editableConfig(existing)) : undefined}
          data-steps={JSON.stringify(WIZARD_STEPS.map((s) => s.paths))}
          data-mapping-fields={JSON.stringify(mappingFields())}
        >
          <TypeStep />
          <FormatStep />
          <SourceStep />
          <MappingStep />
          <OptionsStep stored={existing?.options} />
          <TransformationsStep />
          <PreviewStep />
          <ScheduleStep />
          {/* A file the preview could not read: why, what to do, and (for a file to come) Save anyway. */}
          <div id="file-problem" class="file-problem" role="alert" tabindex={-1} hidden />
          <div class="wizard-nav">
            <button type="button" class="button secondary" id="wizard-back" hidden>
              Back
            </button>
            {/* Disabled until wizard.js runs: a click before would send the form as a page request. */}
            <button type="submit" class="button" id="wizard-next" disabled>
              Next
            </button>
            <button type="submit" class="button" id="wizard-save" hidden disabled>
              Save import
            </button>
            <span class="wizard-saving muted" id="wizard-saving" aria-live="polite" />
          </div>
        </form>
      </div>
    </Layout>
  );
}

/** The stored config without the API's own fields: what the wizard edits. */
function editableConfig(item: ImportView) {
  const schedule = item.schedule
    ? { everyDays: item.schedule.everyDays, startAt: item.schedule.startAt, enabled: item.schedule.enabled }
    : null;
  return {
    name: item.name,
    type: item.type,
    format: item.format,
    source: item.source,
    options: item.options,
    transformations: item.transformations,
    schedule,
  };
}

const readJson = async (request: Request): Promise<Record<string, unknown>> => {
  try {
    const body: unknown = await request.json();
    return typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

export function registerWizard(app: DashboardApp): void {
  app.get("/imports/new", (c) => c.html(<WizardPage csrf={c.var.csrf} />));

  app.get("/imports/:id/edit", async (c) => {
    const item = await c.var.api.getImport(c.req.param("id"));
    if (!item.ok) {
      if (item.status === 401) return keyRefused(c);
      return c.html(<WizardPage csrf={c.var.csrf} error={item.message} />, apiStatus(item.status));
    }
    return c.html(<WizardPage csrf={c.var.csrf} existing={item.body} />);
  });

  // The client script's calls. Each answers the API's own error as it is.
  app.post("/imports/check", async (c) => {
    const body = await readJson(c.req.raw);
    return c.json({ errors: checkDraft(body.config) });
  });

  app.post("/imports/upload-url", async (c) => {
    const body = await readJson(c.req.raw);
    const grant = await c.var.api.call<UploadGrant>("POST", "/v1/uploads", { filename: body.filename });
    if (!grant.ok) return c.json({ error: grant }, apiStatus(grant.status));
    // The signed URL is on this origin (/uploads/...): the browser PUTs the file to it directly.
    const signed = new URL(grant.body.uploadUrl);
    return c.json({
      key: grant.body.key,
      uploadUrl: signed.pathname + signed.search,
      expiresAt: grant.body.expiresAt,
    });
  });

  app.post("/imports/preview", async (c) => {
    const body = await readJson(c.req.raw);
    const config = typeof body.config === "object" && body.config !== null ? { ...body.config } : {};
    delete (config as Record<string, unknown>).name;
    delete (config as Record<string, unknown>).schedule;
    // Editing: the API puts the import's stored secrets in place of the "***" it showed.
    const importId = typeof body.importId === "string" && body.importId ? body.importId : undefined;
    const preview = await c.var.api.call("POST", "/v1/imports/preview", {
      config,
      limit: 20,
      ...(importId ? { importId } : {}),
    });
    if (!preview.ok) return c.json({ error: preview }, apiStatus(preview.status));
    return c.json(preview.body);
  });

  // The mapping step: the file's columns, its first rows and the suggested mapping, read from the source.
  app.post("/imports/suggest-mapping", async (c) => {
    const body = await readJson(c.req.raw);
    const importId = typeof body.importId === "string" && body.importId ? body.importId : undefined;
    const suggestion = await c.var.api.call("POST", "/v1/imports/suggest-mapping", {
      type: body.type,
      format: body.format,
      source: body.source,
      ...(body.options !== undefined ? { options: body.options } : {}),
      ...(importId ? { importId } : {}),
    });
    if (!suggestion.ok) return c.json({ error: suggestion }, apiStatus(suggestion.status));
    return c.json(suggestion.body);
  });

  app.post("/imports/save", async (c) => {
    const body = await readJson(c.req.raw);
    const id = typeof body.id === "string" && body.id ? body.id : undefined;
    const saved = id
      ? await c.var.api.call<ImportView>("PATCH", `/v1/imports/${encodeURIComponent(id)}`, body.config)
      : await c.var.api.call<ImportView>("POST", "/v1/imports", body.config);
    if (!saved.ok) return c.json({ error: saved }, apiStatus(saved.status));
    setFlash(c, `Import “${saved.body.name}” saved.`);
    return c.json({ id: saved.body.id, name: saved.body.name });
  });
}
