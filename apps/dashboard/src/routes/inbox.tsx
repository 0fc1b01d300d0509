import type { ApiResult, InboxFilePage, InboxKeyCreated, InboxKeyView } from "../api";
import {
  type DashboardApp,
  type DashboardContext,
  keyRefused,
  requireCsrf,
  requireSession,
  setFlash,
  takeFlash,
} from "../app";
import { formatBytes, formatTime } from "../labels";
import { Alert, CsrfField, Layout } from "../layout";
import { OutcomeBadge, runOutcome } from "../outcome";
import { apiStatus } from "./imports";

const INBOX_SECTION = { href: "/inbox", name: "Inbox" };

/** Files the page lists, newest first. */
export const INBOX_FILES_SHOWN = 20;

/** The bucket as clients are configured with it. */
interface Bucket {
  endpoint: string;
  /** The endpoint without its scheme (`host/s3`), as s3cmd takes it. */
  hostPath: string;
}

function bucketOf(c: DashboardContext): Bucket {
  const url = new URL(c.req.url);
  return { endpoint: `${url.origin}/s3`, hostPath: `${url.host}/s3` };
}

/**
 * Ready-to-paste commands for aws, rclone and s3cmd, with this tenant's endpoint and a key id when
 * there is one. Placeholders are quoted, so a command pasted as it is fails on the key, not the shell.
 */
export function clientExamples(bucket: Bucket, accessKeyId: string | undefined) {
  const secret = "'<secret access key>'";
  const keyId = accessKeyId ?? "'<access key id>'";
  // s3cmd speaks https unless told otherwise (a local stack is http).
  const noSsl = bucket.endpoint.startsWith("http:") ? " --no-ssl" : "";
  return [
    {
      id: "aws",
      title: "aws",
      text: [
        `export AWS_ACCESS_KEY_ID=${keyId} AWS_SECRET_ACCESS_KEY=${secret} AWS_DEFAULT_REGION=auto`,
        `aws s3 cp orders.csv s3://inbox/daily/orders.csv --endpoint-url ${bucket.endpoint}`,
        `aws s3 ls s3://inbox/daily/ --endpoint-url ${bucket.endpoint}`,
      ].join("\n"),
    },
    {
      id: "rclone",
      title: "rclone",
      text: [
        `rclone config create cdp s3 provider=Other access_key_id=${keyId} secret_access_key=${secret} endpoint=${bucket.endpoint}`,
        "rclone copy orders.csv cdp:inbox/daily/",
        "rclone ls cdp:inbox/daily/",
      ].join("\n"),
    },
    {
      id: "s3cmd",
      title: "s3cmd",
      text: [
        `s3cmd --access_key=${keyId} --secret_key=${secret} --host=${bucket.hostPath} --host-bucket=${bucket.hostPath}${noSsl} put orders.csv s3://inbox/daily/orders.csv`,
      ].join("\n"),
    },
  ];
}

/** A value with a button that copies it (the button appears once the page's script runs). */
function Copyable(props: { id: string; value: string; label: string; block?: boolean }) {
  return (
    <div class={props.block ? "copyable block" : "copyable"}>
      {props.block ? (
        <pre>
          <code id={props.id}>{props.value}</code>
        </pre>
      ) : (
        <code id={props.id}>{props.value}</code>
      )}
      <button
        type="button"
        class="button small secondary"
        data-copy={props.id}
        aria-label={props.label}
        hidden
      >
        Copy
      </button>
    </div>
  );
}

function NewKey(props: { created: InboxKeyCreated }) {
  const { created } = props;
  return (
    <div class="new-key" role="status">
      <h3>Key created: copy its secret now</h3>
      <p>The secret access key is shown only here. If it is lost, revoke the key and create another.</p>
      <dl class="details">
        <div>
          <dt>Access key id</dt>
          <dd>
            <Copyable id="new-key-id" value={created.accessKeyId} label="Copy the access key id" />
          </dd>
        </div>
        <div>
          <dt>Secret access key</dt>
          <dd>
            <Copyable
              id="new-key-secret"
              value={created.secretAccessKey}
              label="Copy the secret access key"
            />
          </dd>
        </div>
      </dl>
    </div>
  );
}

function KeysTable(props: { keys: InboxKeyView[] }) {
  if (props.keys.length === 0) {
    return <p class="muted">No keys yet: create one for each system that sends files.</p>;
  }
  return (
    <div class="table-wrap">
      <table class="inbox-keys responsive">
        <caption class="visually-hidden">Inbox keys</caption>
        <thead>
          <tr>
            <th scope="col">Access key id</th>
            <th scope="col">Description</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.keys.map((key) => (
            <tr>
              <th scope="row" data-label="Access key id">
                <code>{key.accessKeyId}</code>
              </th>
              <td data-label="Description">{key.description ?? <span class="muted">None</span>}</td>
              <td data-label="Created">
                <time datetime={key.createdAt}>{formatTime(key.createdAt)}</time>
              </td>
              <td data-label="Last used">
                {key.lastUsedAt ? (
                  <time datetime={key.lastUsedAt}>{formatTime(key.lastUsedAt)}</time>
                ) : (
                  <span class="muted">Never</span>
                )}
              </td>
              <td data-label="Actions" class="actions">
                <a
                  class="button small danger-outline"
                  href={`/inbox/keys/${encodeURIComponent(key.accessKeyId)}/revoke`}
                  aria-label={`Revoke ${key.accessKeyId}`}
                >
                  Revoke
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FilesTable(props: { files: ApiResult<InboxFilePage> }) {
  const { files } = props;
  if (!files.ok) return <Alert kind="error">{files.message}</Alert>;
  if (files.body.items.length === 0) {
    return <p class="muted">No files yet. Send one with the commands below.</p>;
  }
  return (
    <>
      <div class="table-wrap">
        <table class="inbox-files responsive">
          <caption class="visually-hidden">Newest files of the inbox</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Arrived</th>
              <th scope="col">Imports started</th>
            </tr>
          </thead>
          <tbody>
            {files.body.items.map((file) => (
              <tr>
                <th scope="row" data-label="File">
                  <code class="file-key">{file.key}</code>
                </th>
                <td data-label="Size" class="num">
                  {formatBytes(file.size)}
                </td>
                <td data-label="Arrived">
                  <time datetime={file.uploadedAt}>{formatTime(file.uploadedAt)}</time>
                </td>
                <td data-label="Imports started">
                  {file.runs.length === 0 ? (
                    <span class="muted">None</span>
                  ) : (
                    <ul class="plain">
                      {file.runs.map((run) => (
                        <li>
                          <a href={`/runs/${encodeURIComponent(run.id)}`}>{run.importName}</a>{" "}
                          <OutcomeBadge
                            outcome={runOutcome({
                              status: run.status,
                              stats: { itemsInvalid: run.itemsInvalid },
                            })}
                          />
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {files.body.complete ? null : (
        <p class="muted">
          The inbox holds more than {files.body.scanned.toLocaleString("en-US")} files: these are the newest
          of the first {files.body.scanned.toLocaleString("en-US")} by name.
        </p>
      )}
    </>
  );
}

interface InboxPageOptions {
  created?: InboxKeyCreated;
  error?: string;
  status?: 200 | 201 | 400 | 404 | 409 | 422 | 429 | 500 | 502;
}

async function renderInbox(c: DashboardContext, options: InboxPageOptions = {}) {
  const [keys, files] = await Promise.all([
    c.var.api.listInboxKeys(),
    c.var.api.listInboxFiles(INBOX_FILES_SHOWN),
  ]);
  if ((!keys.ok && keys.status === 401) || (!files.ok && files.status === 401)) return keyRefused(c);
  const bucket = bucketOf(c);
  const notice = takeFlash(c);
  const keyList = keys.ok ? keys.body.items : [];
  const exampleKeyId = options.created?.accessKeyId ?? keyList[keyList.length - 1]?.accessKeyId;
  return c.html(
    <Layout title="Inbox" csrf={c.var.csrf} scripts={["copy.js", "submit-once.js"]} section={INBOX_SECTION}>
      <div class="page-head">
        <h1>Inbox</h1>
      </div>
      <p class="muted">
        Your own bucket. Send files with aws, rclone or s3cmd and an inbox key; a file written under a prefix
        that an import watches starts that import.
      </p>
      {notice ? <Alert kind="notice">{notice}</Alert> : null}
      {options.error ? <Alert kind="error">{options.error}</Alert> : null}

      <section class="card" aria-labelledby="bucket-heading">
        <h2 id="bucket-heading">Your bucket</h2>
        <dl class="details">
          <div>
            <dt>Endpoint</dt>
            <dd>
              <Copyable id="inbox-endpoint" value={bucket.endpoint} label="Copy the endpoint" />
            </dd>
          </div>
          <div>
            <dt>Bucket</dt>
            <dd>
              <code>inbox</code>
            </dd>
          </div>
          <div>
            <dt>Region</dt>
            <dd>
              <code>auto</code>
            </dd>
          </div>
        </dl>
      </section>

      <section class="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Keys</h2>
        {options.created ? <NewKey created={options.created} /> : null}
        {keys.ok ? <KeysTable keys={keyList} /> : <Alert kind="error">{keys.message}</Alert>}
        <form method="post" action="/inbox/keys" class="inline-form" data-submit-once>
          <CsrfField token={c.var.csrf} />
          <div class="field">
            <label for="key-description">Description (optional)</label>
            <input
              id="key-description"
              name="description"
              type="text"
              maxlength={200}
              placeholder="Nightly export from the ERP"
            />
          </div>
          <button type="submit" class="button">
            Create key
          </button>
        </form>
      </section>

      <section class="card" aria-labelledby="files-heading">
        <h2 id="files-heading">Newest files</h2>
        <FilesTable files={files} />
      </section>

      <section class="card" aria-labelledby="examples-heading">
        <h2 id="examples-heading">Send files</h2>
        <p class="muted">
          Put your key's secret where it says so. Files go under a prefix, such as <code>daily/</code>, that
          an import watches (source “Our R2 bucket”, watch prefix <code>daily/</code>).
        </p>
        {clientExamples(bucket, exampleKeyId).map((example) => (
          <div class="example">
            <h3>{example.title}</h3>
            <Copyable
              id={`example-${example.id}`}
              value={example.text}
              label={`Copy the ${example.title} commands`}
              block
            />
          </div>
        ))}
      </section>
    </Layout>,
    options.status ?? 200,
  );
}

function ConfirmRevokePage(props: { accessKeyId: string; csrf: string }) {
  return (
    <Layout
      title="Revoke an inbox key"
      csrf={props.csrf}
      scripts={["submit-once.js"]}
      section={INBOX_SECTION}
    >
      <section class="card narrow">
        <h1>Revoke this key?</h1>
        <p>
          Requests signed with <code>{props.accessKeyId}</code> are refused within 30 seconds. Scripts that
          use it stop sending files until they are given another key. Files already sent stay in the inbox.
        </p>
        <form
          method="post"
          action={`/inbox/keys/${encodeURIComponent(props.accessKeyId)}/revoke`}
          class="button-row"
          data-submit-once
        >
          <CsrfField token={props.csrf} />
          <button type="submit" class="button danger">
            Revoke key
          </button>
          <a class="button secondary" href="/inbox">
            Cancel
          </a>
        </form>
      </section>
    </Layout>
  );
}

export function registerInbox(app: DashboardApp): void {
  app.use("/inbox", requireSession);
  app.use("/inbox/*", requireSession, requireCsrf);

  app.get("/inbox", (c) => renderInbox(c));

  app.post("/inbox/keys", async (c) => {
    const form = await c.req.parseBody();
    const description = typeof form.description === "string" ? form.description.trim() : "";
    const created = await c.var.api.createInboxKey(description || undefined);
    if (!created.ok) {
      if (created.status === 401) return keyRefused(c);
      return renderInbox(c, { error: created.message, status: apiStatus(created.status) });
    }
    // The secret is in this answer only: no redirect, and the page is never cached (no-store).
    return renderInbox(c, { created: created.body, status: 201 });
  });

  app.get("/inbox/keys/:id/revoke", (c) =>
    c.html(<ConfirmRevokePage accessKeyId={c.req.param("id")} csrf={c.var.csrf} />),
  );

  app.post("/inbox/keys/:id/revoke", async (c) => {
    const id = c.req.param("id");
    const revoked = await c.var.api.revokeInboxKey(id);
    if (!revoked.ok) {
      if (revoked.status === 401) return keyRefused(c);
      return renderInbox(c, { error: revoked.message, status: apiStatus(revoked.status) });
    }
    setFlash(c, `Key ${id} revoked.`);
    return c.redirect("/inbox", 303);
  });
}
