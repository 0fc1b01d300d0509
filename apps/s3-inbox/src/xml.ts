import { S3Error } from "./errors";

const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/** Whether a UTF-16 code unit is a control character XML 1.0 cannot hold as text (or CR, which it would change). */
const needsReference = (code: number) => (code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f;

/**
 * Text as XML character data. Control characters (which XML 1.0 cannot hold at all) are written
 * as character references, as S3 writes them; clients that list with `encoding-type=url` never
 * see them.
 */
export function escapeXml(value: string): string {
  let out = "";
  for (const c of value) {
    const code = c.charCodeAt(0);
    out += ESCAPES[c] ?? (needsReference(code) ? `&#x${code.toString(16).toUpperCase()};` : c);
  }
  return out;
}

/** `<name>value</name>`, the value escaped. */
export function text(name: string, value: string | number | boolean): string {
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>…</name>` around elements already written. */
export function node(name: string, children: (string | null | undefined | false)[]): string {
  return `<${name}>${children.filter(Boolean).join("")}</${name}>`;
}

/** A whole XML answer: the declaration and the root element (in S3's namespace, but errors). */
export function xmlDocument(
  root: string,
  children: (string | null | undefined | false)[] | Record<string, string>,
  options: { namespace?: boolean } = {},
): string {
  const content = Array.isArray(children)
    ? children.filter(Boolean).join("")
    : Object.entries(children)
        .map(([name, value]) => text(name, value))
        .join("");
  const xmlns = options.namespace === false ? "" : ` xmlns="${S3_NAMESPACE}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${xmlns}>${content}</${root}>`;
}

export function xmlResponse(body: string, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/xml");
  return new Response(body, { ...init, headers });
}

/** An element of a parsed request document: its local name, child elements and text. */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const MAX_DEPTH = 16;
const MAX_ELEMENTS = 50_000;

const malformed = (why: string) =>
  new S3Error(
    "MalformedXML",
    `The XML you provided was not well-formed or did not validate against our published schema: ${why}.`,
  );

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  return raw.replace(/&([^;&]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(";")) throw malformed("an '&' that starts no entity");
    const named = NAMED_ENTITIES[name];
    if (named !== undefined) return named;
    const numeric = /^#(x[0-9a-f]+|[0-9]+)$/i.exec(name);
    if (!numeric?.[1]) throw malformed(`the entity '&${name};', which is not one of XML's own`);
    const code =
      numeric[1].startsWith("x") || numeric[1].startsWith("X")
        ? Number.parseInt(numeric[1].slice(1), 16)
        : Number.parseInt(numeric[1], 10);
    if (!Number.isFinite(code) || code > 0x10ffff) throw malformed(`the character reference '&${name};'`);
    return String.fromCodePoint(code);
  });
}

/**
 * Parses a request document (DeleteObjects, CompleteMultipartUpload). Only elements, text,
 * CDATA, comments and the XML declaration: a DOCTYPE (and so any entity of its own) is refused,
 * never expanded.
 */
export function parseXml(source: string): XmlElement {
  let at = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let count = 0;
  while (at < source.length) {
    const open = source.indexOf("<", at);
    const textEnd = open === -1 ? source.length : open;
    const between = source.slice(at, textEnd);
    const top = stack[stack.length - 1];
    if (top) top.text += decodeEntities(between);
    else if (between.trim() !== "") throw malformed("text outside the root element");
    if (open === -1) break;
    if (source.startsWith("<?", open)) {
      const end = source.indexOf("?>", open);
      if (end === -1) throw malformed("an unclosed declaration");
      at = end + 2;
    } else if (source.startsWith("<!--", open)) {
      const end = source.indexOf("-->", open);
      if (end === -1) throw malformed("an unclosed comment");
      at = end + 3;
    } else if (source.startsWith("<![CDATA[", open)) {
      const end = source.indexOf("]]>", open);
      if (end === -1 || !top) throw malformed("a CDATA section outside an element");
      top.text += source.slice(open + 9, end);
      at = end + 3;
    } else if (source.startsWith("<!", open)) {
      throw malformed("a DOCTYPE or entity declaration, which this service does not read");
    } else {
      const end = source.indexOf(">", open);
      if (end === -1) throw malformed("an unclosed tag");
      const tag = source.slice(open + 1, end);
      at = end + 1;
      if (tag.startsWith("/")) {
        const name = localName(tag.slice(1).trim());
        const closed = stack.pop();
        if (!closed || closed.name !== name)
          throw malformed(`a closing tag </${name}> that closes nothing open`);
        if (stack.length === 0) root = closed;
        continue;
      }
      const selfClosing = tag.endsWith("/");
      const name = localName((selfClosing ? tag.slice(0, -1) : tag).trim().split(/\s/, 1)[0] ?? "");
      if (!name) throw malformed("a tag without a name");
      if (root || (stack.length === 0 && count > 0)) throw malformed("a second root element");
      if (++count > MAX_ELEMENTS) throw malformed(`more than ${MAX_ELEMENTS} elements`);
      const element: XmlElement = { name, children: [], text: "" };
      stack[stack.length - 1]?.children.push(element);
      if (selfClosing) {
        if (stack.length === 0) root = element;
      } else {
        if (stack.length >= MAX_DEPTH) throw malformed(`elements nested more than ${MAX_DEPTH} deep`);
        stack.push(element);
      }
    }
  }
  if (stack.length > 0 || !root) throw malformed(root ? "an element left open" : "no element");
  return root;
}

/** The name without its namespace prefix (`s3:Key` → `Key`). */
function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

/** The child elements of `element` named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** The text of the first child named `name`, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
  return element.children.find((child) => child.name === name)?.text;
}
