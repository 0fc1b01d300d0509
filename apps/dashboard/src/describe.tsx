import type { Child } from "hono/jsx";
import type { ImportView } from "./api";

/** An import's configuration in words: what its page shows instead of JSON. */

const Code = (props: { children: Child }) => <code>{props.children}</code>;

/** A stored secret: never its value, which the API masks anyway. */
const Secret = (props: { name: string }) => (
  <span>
    {props.name} <span class="muted">(stored encrypted)</span>
  </span>
);

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : typeof value === "number" ? String(value) : undefined;

/** Each fact about the source, as items of a list. */
export function sourceFacts(source: ImportView["source"]): Child[] {
  const facts: Child[] = [];
  const s = source as Record<string, unknown>;
  switch (source.type) {
    case "upload":
      facts.push(
        <>
          File <Code>{text(s.key) ?? "—"}</Code>
        </>,
      );
      if (text(s.watchPrefix))
        facts.push(
          <>
            Starts on each uploaded file whose name begins with <Code>{text(s.watchPrefix)}</Code>
          </>,
        );
      break;
    case "url": {
      facts.push(
        <>
          URL <Code>{text(s.url) ?? "—"}</Code>
        </>,
      );
      const headers = typeof s.headers === "object" && s.headers !== null ? Object.keys(s.headers) : [];
      if (headers.length)
        facts.push(
          <>
            Sends {headers.length === 1 ? "the header" : "the headers"} <Secret name={headers.join(", ")} />
          </>,
        );
      break;
    }
    case "s3":
      facts.push(
        <>
          Bucket <Code>{text(s.bucket) ?? "—"}</Code>, key <Code>{text(s.key) ?? "—"}</Code>
        </>,
      );
      if (text(s.region))
        facts.push(
          <>
            Region <Code>{text(s.region)}</Code>
          </>,
        );
      if (text(s.endpoint))
        facts.push(
          <>
            Endpoint <Code>{text(s.endpoint)}</Code>
          </>,
        );
      facts.push(
        <>
          Access key id <Code>{text(s.accessKeyId) ?? "—"}</Code>, <Secret name="secret access key" />
        </>,
      );
      break;
    case "sftp":
      facts.push(
        <>
          <Code>
            {text(s.username) ?? "—"}@{text(s.host) ?? "—"}:{text(s.port) ?? "22"}
          </Code>
          , path <Code>{text(s.path) ?? "—"}</Code>
        </>,
      );
      if (s.password !== undefined) facts.push(<Secret name="Password" />);
      if (s.privateKey !== undefined) facts.push(<Secret name="Private key" />);
      if (text(s.hostKeySha256))
        facts.push(
          <>
            Host key <Code>{text(s.hostKeySha256)}</Code>
          </>,
        );
      break;
    case "r2":
      if (text(s.key))
        facts.push(
          <>
            File <Code>{text(s.key)}</Code> of your inbox
          </>,
        );
      if (text(s.watchPrefix))
        facts.push(
          <>
            Starts on each file put under <Code>{text(s.watchPrefix)}</Code> in your inbox
          </>,
        );
      break;
    case "egoi":
      facts.push(<>List {text(s.listId) ?? "—"}</>, <Secret name="API key" />);
      break;
  }
  return facts;
}

const DELIMITER_NAMES: Record<string, string> = { ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe" };

/** The options set, in words; empty when the format's defaults apply. */
export function optionFacts(options: Record<string, unknown>): Child[] {
  const facts: Child[] = [];
  if (options.hashUserIds === true)
    facts.push("Plain e-mail addresses and phone numbers are stored as their SHA-256");
  if (text(options.orderIdColumn))
    facts.push(
      <>
        Order ids from the column <Code>{text(options.orderIdColumn)}</Code>
      </>,
    );
  if (text(options.userIdField))
    facts.push(
      <>
        User ids from <Code>{text(options.userIdField)}</Code>
        {text(options.userIdType) ? (
          <>
            , of type <Code>{text(options.userIdType)}</Code>
          </>
        ) : null}
      </>,
    );
  if (options.mergeStrategy === "replace") facts.push("Replace: each profile is set to the file's record");
  else if (options.mergeStrategy === "merge")
    facts.push("Merge: profiles keep the attributes the file does not have");
  if (text(options.encoding))
    facts.push(
      <>
        Encoding <Code>{text(options.encoding)}</Code>
      </>,
    );
  const delimiter = text(options.delimiter);
  if (delimiter)
    facts.push(<>Delimiter: {DELIMITER_NAMES[delimiter] ?? <Code>{JSON.stringify(delimiter)}</Code>}</>);
  if (text(options.entry))
    facts.push(
      <>
        Reads <Code>{text(options.entry)}</Code> of the zip archive
      </>,
    );
  return facts;
}

interface ValueStep {
  type?: string;
  mappings?: { from: unknown; to: unknown }[];
  pattern?: string;
  to?: string;
}

interface TransformationLike {
  op?: string;
  from?: string;
  to?: string;
  field?: string;
  value?: unknown;
  values?: ValueStep[];
}

const json = (value: unknown) => <Code>{typeof value === "string" ? value : JSON.stringify(value)}</Code>;

function valueStep(step: ValueStep): Child {
  if (step.type === "map") {
    const mappings = step.mappings ?? [];
    return (
      <>
        map{" "}
        {mappings.map((m, i) => (
          <>
            {i > 0 ? ", " : ""}
            {json(m.from)} → {json(m.to)}
          </>
        ))}
      </>
    );
  }
  if (step.type === "timestamp")
    return step.pattern ? (
      <>
        read as a date with the pattern <Code>{step.pattern}</Code>
      </>
    ) : (
      "read as an ISO 8601 date"
    );
  if (step.type === "cast")
    return (
      <>
        cast to <Code>{step.to ?? "—"}</Code>
      </>
    );
  return String(step.type);
}

/** One transformation as a sentence: "Rename a to b, then map 1 → one, cast to integer". */
export function TransformationText(props: { transformation: unknown }) {
  const t = props.transformation as TransformationLike;
  if (t.op === "rename" || t.op === "copy") {
    const steps = t.values ?? [];
    return (
      <>
        {t.op === "rename" ? "Rename" : "Copy"} <Code>{t.from ?? "—"}</Code> to <Code>{t.to ?? "—"}</Code>
        {steps.length ? (
          <>
            , then{" "}
            {steps.map((step, i) => (
              <>
                {i > 0 ? ", then " : ""}
                {valueStep(step)}
              </>
            ))}
          </>
        ) : null}
      </>
    );
  }
  if (t.op === "add")
    return (
      <>
        Add <Code>{t.field ?? "—"}</Code> with the value {json(t.value)}
      </>
    );
  if (t.op === "delete")
    return (
      <>
        Delete <Code>{t.field ?? "—"}</Code>
      </>
    );
  return <>{JSON.stringify(t)}</>;
}
