import { ImportFileError } from "./issue-codes";

/**
 * An incremental reader of item-oriented XML (RSS 2.0 `<item>`, Atom 1.0 `<entry>`): fed text
 * chunk by chunk, it answers each item element completed so far as a small tree of its child
 * elements. Only the current item and an unfinished tag are held, never the document.
 *
 * Security: entities are never expanded beyond the five predefined ones and numeric character
 * references. A DOCTYPE (with or without ENTITY declarations) is skipped as a whole: nothing in
 * it is fetched (no XXE), nothing declared in it is expanded (no billion laughs). A reference to
 * any other entity is a problem of the item it is in (`invalid_xml`), and the text keeps it as
 * written, so time and memory stay proportional to the input.
 *
 * Well-formedness: a problem inside an item (an unknown entity, a bare `&`, a misnested or
 * unclosed tag) is a problem of that item and reading goes on with the next one. Outside items
 * (a file that is no XML, tags that do not match around the items) the file as a whole is
 * refused (ImportFileError "wrong_format", naming the line). A file that ends between items
 * without closing its root element still gives its complete items (a chunk of the file read
 * alone ends that way).
 *
 * Names are resolved by namespace URI, not by the prefix a file happens to use: an element in a
 * namespace listed in `options.namespaces` is named `<prefix>:<local>` with the prefix given
 * there, or by its local name when that prefix is "" (so `<atom:title>`, `<a:title>` and
 * `<title xmlns="http://www.w3.org/2005/Atom">` read alike). Elements without a namespace, or
 * in another default namespace, are named by their local name; others (and an undeclared
 * prefix) as written. Item and root elements are recognised by their local name.
 *
 * Text: an element's `text` is its own character data; a child records where it stands in it
 * (`at`), so that `textContent` gives all descendant text in document order (inline markup
 * such as `Soft <b>cotton</b> tee` or an Atom `type="xhtml"` div read as text).
 */

export const GOOGLE_NAMESPACE = "http://base.google.com/ns/1.0";
export const ATOM_NAMESPACE = "http://www.w3.org/2005/Atom";

/** Google's namespace as `g:`, whatever prefix binds it; the default of `options.namespaces`. */
const DEFAULT_NAMESPACES: Readonly<Record<string, string>> = { [GOOGLE_NAMESPACE]: "g" };

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Character data of the element itself (CDATA included, entities decoded, line ends as LF). */
  text: string;
  children: XmlElement[];
  /** Where the element starts in its parent's `text` (0 for an item): see textContent. */
  at: number;
}

export interface XmlItem {
  /** Line where the item's start tag starts. */
  row: number;
  element: XmlElement;
  /** Well-formedness problems inside the item, as sentences. */
  problems: string[];
}

export interface XmlItemReaderOptions {
  /** Local name of the item elements: "item" (RSS) or "entry" (Atom). */
  itemElement: string;
  /** Local names the root element may have; another root is a wrong_format error. */
  rootElements?: readonly string[];
  /** The document's text before the chunk (for namespaces and open elements), read first. */
  prologue?: string;
  /** Physical line of the first character written (after the prologue). */
  firstRow?: number;
  /** Longest item (or single tag, comment, DOCTYPE) in characters. */
  maxItemChars?: number;
  /**
   * Namespace URI → the prefix its elements are named with ("" for the bare local name).
   * Default: Google's namespace as `g`.
   */
  namespaces?: Readonly<Record<string, string>>;
}

interface Frame {
  qname: string;
  scope: Map<string, string> | null;
  /** The item or one of its descendants; null outside items. */
  node: XmlElement | null;
}

const DEFAULT_MAX_ITEM_CHARS = 4 * 1024 * 1024;
const NAME = /^[A-Za-z_:\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*$/;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const ENTITY_OR_AMPERSAND = /&(?:(#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z_][\w.-]*);)?/g;
const UNFINISHED_ENTITY = /&(?:#x?[0-9a-fA-F]*|[A-Za-z_][\w.-]*)?$/;

type Markup =
  | { kind: "incomplete" }
  | { kind: "skip"; end: number; cdata?: string }
  | { kind: "start"; end: number; qname: string; attributes: [string, string][]; selfClosing: boolean }
  | { kind: "end"; end: number; qname: string }
  | { kind: "malformed"; end: number; message: string };

export class XmlItemReader {
  private buffer = "";
  private line: number;
  private afterCR = false;
  private readonly frames: Frame[] = [];
  private itemIndex = -1;
  private item: XmlItem | null = null;
  /** Characters consumed before `buffer`, to bound an item's size. */
  private consumed = 0;
  private itemStart = 0;
  /** Absolute position of the markup being handled. */
  private markupAt = 0;
  private sawRoot = false;
  private readonly maxChars: number;
  private readonly namespaces: ReadonlyMap<string, string>;
  private readonly seen = new Set<string>();
  private out: XmlItem[] = [];
  /** The first character is checked only at a file's start. */
  private checkStart: boolean;
  /** Reading a whole file (not a chunk after a prologue): it must have a root element. */
  private readonly wholeFile: boolean;

  constructor(private readonly options: XmlItemReaderOptions) {
    this.maxChars = options.maxItemChars ?? DEFAULT_MAX_ITEM_CHARS;
    this.namespaces = new Map(Object.entries(options.namespaces ?? DEFAULT_NAMESPACES));
    this.line = 1;
    this.checkStart = true;
    this.wholeFile = (options.prologue ?? "") === "" && (options.firstRow ?? 1) <= 1;
    if (options.prologue !== undefined && options.prologue !== "") {
      this.write(options.prologue);
      this.out = [];
      this.checkStart = false;
    }
    if (options.firstRow !== undefined) {
      this.line = options.firstRow;
      this.afterCR = false;
      if (options.firstRow > 1) this.checkStart = false;
    }
  }

  /** Child element names of items, in the order first seen. */
  get elementNames(): string[] {
    return [...this.seen];
  }

  write(text: string): XmlItem[] {
    this.buffer = this.buffer.length > 0 ? this.buffer + text : text;
    this.parse(false);
    return this.take();
  }

  end(): XmlItem[] {
    this.parse(true);
    if (this.item) {
      this.problem(
        `The <${this.options.itemElement}> that starts on line ${this.item.row} is not closed before the end of the file.`,
      );
      this.emitItem();
    }
    if (!this.sawRoot && this.wholeFile) {
      throw new ImportFileError("wrong_format", "The file is not XML: it has no root element.");
    }
    return this.take();
  }

  private take(): XmlItem[] {
    const items = this.out;
    this.out = [];
    return items;
  }

  private parse(atEnd: boolean): void {
    const buf = this.buffer;
    let pos = 0;
    if (this.checkStart) {
      const first = buf.search(/\S/);
      if (first >= 0) {
        if (buf[first] !== "<") {
          const start = buf.slice(first, first + 40).split(/\r?\n|\r/)[0] ?? "";
          throw new ImportFileError(
            "wrong_format",
            `The file is not XML: it starts with "${start}" instead of a tag. Check the import's format.`,
          );
        }
        this.checkStart = false;
      }
    }
    while (pos < buf.length) {
      const lt = buf.indexOf("<", pos);
      if (lt < 0) {
        pos = this.text(buf, pos, buf.length, atEnd);
        break;
      }
      if (lt > pos) this.text(buf, pos, lt, true);
      const markup = scanMarkup(buf, lt, atEnd);
      if (markup.kind === "incomplete") {
        pos = lt;
        break;
      }
      const row = this.line;
      this.markupAt = this.consumed + lt;
      this.advance(buf, lt, markup.end);
      pos = markup.end;
      this.markup(markup, row);
    }
    this.consumed += pos;
    this.buffer = buf.slice(pos);
    if (this.item && this.consumed + this.buffer.length - this.itemStart > this.maxChars) {
      throw new ImportFileError(
        "record_too_large",
        `The <${this.options.itemElement}> that starts on line ${this.item.row} is longer than ${this.maxChars.toLocaleString("en")} characters.`,
      );
    }
    if (this.buffer.length > this.maxChars) {
      throw new ImportFileError(
        "record_too_large",
        `The XML on line ${this.line} has a tag, comment or DOCTYPE longer than ${this.maxChars} characters.`,
      );
    }
    if (atEnd && this.buffer.trim() !== "") {
      if (this.item) {
        this.problem(`The file ends inside a tag on line ${this.line}.`);
      } else {
        throw new ImportFileError(
          "wrong_format",
          `The file is not well-formed XML: it ends inside a tag on line ${this.line}.`,
        );
      }
      this.buffer = "";
    }
  }

  /** Character data in buf[from, to): kept inside items, skipped outside. Returns where it stopped. */
  private text(buf: string, from: number, to: number, complete: boolean): number {
    let end = to;
    if (this.item && !complete) {
      // An entity cut by the chunk's end waits for the rest.
      const amp = buf.lastIndexOf("&", to - 1);
      if (amp >= from && UNFINISHED_ENTITY.test(buf.slice(amp, to))) end = amp;
    }
    const node = this.currentNode();
    if (node && end > from) node.text += this.decode(buf.slice(from, end), node.name);
    this.advance(buf, from, end);
    return end;
  }

  private markup(markup: Exclude<Markup, { kind: "incomplete" }>, row: number): void {
    switch (markup.kind) {
      case "skip": {
        const node = this.currentNode();
        if (node && markup.cdata !== undefined) node.text += markup.cdata;
        return;
      }
      case "malformed":
        if (this.item) {
          this.problem(`Line ${row}: ${markup.message}.`);
          return;
        }
        throw new ImportFileError(
          "wrong_format",
          `The file is not well-formed XML: line ${row}: ${markup.message}.`,
        );
      case "start":
        this.startTag(markup.qname, markup.attributes, markup.selfClosing, row);
        return;
      case "end":
        this.endTag(markup.qname, row);
        return;
    }
  }

  private startTag(
    qname: string,
    rawAttributes: [string, string][],
    selfClosing: boolean,
    row: number,
  ): void {
    let scope: Map<string, string> | null = null;
    const attributes: Record<string, string> = {};
    for (const [name, raw] of rawAttributes) {
      const value = this.decode(raw, qname);
      if (name === "xmlns" || name.startsWith("xmlns:")) {
        scope ??= new Map();
        scope.set(name === "xmlns" ? "" : name.slice(6), value);
      } else {
        // An attribute named "__proto__" stays an own field.
        Object.defineProperty(attributes, name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    const parent = this.currentNode();
    const frame: Frame = { qname, scope, node: null };
    this.frames.push(frame);
    const name = this.resolve(qname);
    const local = localName(qname);

    if (!this.item) {
      if (!this.sawRoot) {
        this.sawRoot = true;
        const roots = this.options.rootElements;
        if (roots && !roots.includes(local)) {
          throw new ImportFileError(
            "wrong_format",
            `The file's root element is <${qname}>, not ${roots.map((r) => `<${r}>`).join(" or ")}: check the import's format.`,
          );
        }
      }
      if (local === this.options.itemElement) {
        frame.node = { name, attributes, text: "", children: [], at: 0 };
        this.item = { row, element: frame.node, problems: [] };
        this.itemIndex = this.frames.length - 1;
        this.itemStart = this.markupAt;
      }
    } else {
      frame.node = { name, attributes, text: "", children: [], at: parent?.text.length ?? 0 };
      if (this.frames.length - 1 === this.itemIndex + 1) this.seen.add(name);
    }
    if (selfClosing) this.closeTop();
  }

  private endTag(qname: string, row: number): void {
    let match = this.frames.length - 1;
    while (match >= 0 && this.frames[match]?.qname !== qname) match--;
    const top = this.frames.length - 1;
    if (!this.item) {
      if (match === top && match >= 0) {
        this.frames.pop();
        return;
      }
      const expected = this.frames[top];
      throw new ImportFileError(
        "wrong_format",
        `The file is not well-formed XML: line ${row}: </${qname}> does not close ${expected ? `<${expected.qname}>` : "any element"}.`,
      );
    }
    if (match < 0) {
      this.problem(`Line ${row}: </${qname}> closes no open element.`);
      return;
    }
    // An item read whole in one write is held to the same limit as one carried over.
    if (match <= this.itemIndex && this.markupAt - this.itemStart > this.maxChars) {
      throw new ImportFileError(
        "record_too_large",
        `The <${this.options.itemElement}> that starts on line ${this.item.row} is longer than ${this.maxChars.toLocaleString("en")} characters.`,
      );
    }
    if (match !== top) {
      const unclosed = this.frames[Math.max(match + 1, this.itemIndex)]?.qname ?? qname;
      this.problem(`Line ${row}: <${unclosed}> is not closed before </${qname}>.`);
    }
    while (this.frames.length - 1 > match) this.closeTop();
    this.closeTop();
  }

  /** Pops the innermost element; inside an item it joins its parent, the item itself is emitted. */
  private closeTop(): void {
    const index = this.frames.length - 1;
    const frame = this.frames.pop();
    const node = frame?.node;
    if (!node) return;
    if (node.text.includes("\r")) normalizeLineEnds(node);
    if (index === this.itemIndex) {
      this.emitItem();
      return;
    }
    this.frames[index - 1]?.node?.children.push(node);
  }

  private emitItem(): void {
    if (!this.item) return;
    // Elements left open inside the item (a cut file) still belong to it.
    while (this.frames.length - 1 > this.itemIndex) this.closeTop();
    const item = this.item;
    this.item = null;
    if (this.frames.length - 1 === this.itemIndex) this.frames.pop();
    this.itemIndex = -1;
    this.out.push(item);
  }

  private problem(message: string): void {
    this.item?.problems.push(message);
  }

  private currentNode(): XmlElement | null {
    return this.item ? (this.frames[this.frames.length - 1]?.node ?? null) : null;
  }

  private resolve(qname: string): string {
    const colon = qname.indexOf(":");
    const prefix = colon < 0 ? "" : qname.slice(0, colon);
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    let namespace: string | undefined;
    for (let i = this.frames.length - 1; i >= 0 && namespace === undefined; i--) {
      namespace = this.frames[i]?.scope?.get(prefix);
    }
    // No namespace, or an undeclared prefix (a common slip with g:), which keeps the name as written.
    if (namespace === undefined) return qname;
    if (namespace === "") return local;
    const prefixed = this.namespaces.get(namespace);
    if (prefixed !== undefined) return prefixed === "" ? local : `${prefixed}:${local}`;
    return colon < 0 ? local : qname;
  }

  private decode(raw: string, where: string): string {
    if (!raw.includes("&")) return raw;
    return raw.replace(ENTITY_OR_AMPERSAND, (whole, reference: string | undefined) => {
      if (reference === undefined) {
        this.problem(`<${where}> contains a bare "&"; write it as &amp;.`);
        return whole;
      }
      if (reference.startsWith("#")) {
        const code =
          reference[1] === "x" ? Number.parseInt(reference.slice(2), 16) : Number(reference.slice(1));
        if (isXmlChar(code)) return String.fromCodePoint(code);
        this.problem(`<${where}> contains "${whole}", which is not a valid character.`);
        return whole;
      }
      const predefined = PREDEFINED[reference];
      if (predefined !== undefined) return predefined;
      this.problem(
        `<${where}> uses the entity "${whole}", which is not defined (only &lt; &gt; &amp; &quot; &apos; and numeric references are read).`,
      );
      return whole;
    });
  }

  /** Counts the line breaks in buf[from, to). */
  private advance(buf: string, from: number, to: number): void {
    if (to <= from) return;
    let breaks = 0;
    let afterCR = this.afterCR;
    for (let i = from; i < to; i++) {
      const code = buf.charCodeAt(i);
      if (code === 13) breaks++;
      else if (code === 10 && !afterCR) breaks++;
      afterCR = code === 13;
    }
    this.line += breaks;
    this.afterCR = afterCR;
  }
}

/**
 * The element's text content: all descendant character data in document order, markup dropped
 * (`Soft <b>cotton</b> tee` → "Soft cotton tee"). Iterative: nesting depth costs no stack.
 */
export function textContent(element: XmlElement): string {
  if (element.children.length === 0) return element.text;
  let out = "";
  const stack = [{ element, next: 0, from: 0 }];
  for (let top = stack[0]; top !== undefined; top = stack[stack.length - 1]) {
    const child = top.element.children[top.next];
    if (child === undefined) {
      out += top.element.text.slice(top.from);
      stack.pop();
      continue;
    }
    out += top.element.text.slice(top.from, child.at);
    top.from = child.at;
    top.next++;
    stack.push({ element: child, next: 0, from: 0 });
  }
  return out;
}

/**
 * CRLF and CR as LF, in each stretch of text between children on its own (a CR and an LF with a
 * child between them are two line ends), moving each child's place in the text to match.
 */
function normalizeLineEnds(node: XmlElement): void {
  let text = "";
  let from = 0;
  for (const child of node.children) {
    text += node.text.slice(from, child.at).replace(/\r\n?/g, "\n");
    from = child.at;
    child.at = text.length;
  }
  node.text = text + node.text.slice(from).replace(/\r\n?/g, "\n");
}

function localName(qname: string): string {
  const colon = qname.indexOf(":");
  return colon < 0 ? qname : qname.slice(colon + 1);
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Recognises the markup starting with "<" at `lt`, or reports that more text is needed. */
function scanMarkup(buf: string, lt: number, atEnd: boolean): Markup {
  const rest = buf.length - lt;
  const incomplete: Markup = { kind: "incomplete" };
  const find = (token: string, from: number) => {
    const at = buf.indexOf(token, from);
    return at < 0 ? -1 : at + token.length;
  };
  const next = buf[lt + 1];
  if (next === undefined)
    return atEnd ? { kind: "malformed", end: buf.length, message: 'a lone "<"' } : incomplete;
  if (next === "!") {
    if (buf.startsWith("<!--", lt)) {
      const end = find("-->", lt + 4);
      return end < 0 ? incomplete : { kind: "skip", end };
    }
    if (buf.startsWith("<![CDATA[", lt)) {
      const close = buf.indexOf("]]>", lt + 9);
      return close < 0 ? incomplete : { kind: "skip", end: close + 3, cdata: buf.slice(lt + 9, close) };
    }
    if (buf.startsWith("<!DOCTYPE", lt)) {
      const end = doctypeEnd(buf, lt + 9);
      return end < 0 ? incomplete : { kind: "skip", end };
    }
    const head = buf.slice(lt, lt + 9);
    if (!atEnd && rest < 9 && ["<!--", "<![CDATA[", "<!DOCTYPE"].some((m) => m.startsWith(head)))
      return incomplete;
    const end = find(">", lt);
    return end < 0 ? incomplete : { kind: "malformed", end, message: `"${head}…" is not a tag` };
  }
  if (next === "?") {
    const end = find("?>", lt + 2);
    return end < 0 ? incomplete : { kind: "skip", end };
  }
  if (next === "/") {
    const end = find(">", lt + 2);
    if (end < 0) return incomplete;
    const qname = buf.slice(lt + 2, end - 1).trim();
    return NAME.test(qname)
      ? { kind: "end", end, qname }
      : { kind: "malformed", end, message: `"${buf.slice(lt, end)}" is not an end tag` };
  }
  return scanStartTag(buf, lt);
}

/** The end of a DOCTYPE, past its internal subset in [...] and quoted strings. */
function doctypeEnd(buf: string, from: number): number {
  let inSubset = false;
  let quote = "";
  for (let i = from; i < buf.length; i++) {
    const ch = buf[i];
    if (quote) {
      if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[") inSubset = true;
    else if (ch === "]") inSubset = false;
    else if (ch === ">" && !inSubset) return i + 1;
  }
  return -1;
}

const isSpace = (ch: string | undefined) => ch === " " || ch === "\t" || ch === "\n" || ch === "\r";

function scanStartTag(buf: string, lt: number): Markup {
  let i = lt + 1;
  while (i < buf.length && !isSpace(buf[i]) && buf[i] !== ">" && buf[i] !== "/" && buf[i] !== "<") i++;
  if (i >= buf.length) return { kind: "incomplete" };
  const qname = buf.slice(lt + 1, i);
  if (!NAME.test(qname)) {
    // "a < b" in text: the "<" is not markup; skip just it.
    return { kind: "malformed", end: lt + 1, message: `"<" must be written as &lt; in text` };
  }
  const attributes: [string, string][] = [];
  for (;;) {
    const spaceBefore = isSpace(buf[i]);
    while (isSpace(buf[i])) i++;
    const ch = buf[i];
    if (ch === undefined) return { kind: "incomplete" };
    if (ch === ">") return { kind: "start", end: i + 1, qname, attributes, selfClosing: false };
    if (ch === "/") {
      if (buf[i + 1] === undefined) return { kind: "incomplete" };
      if (buf[i + 1] === ">") return { kind: "start", end: i + 2, qname, attributes, selfClosing: true };
      return malformedTag(buf, lt, qname);
    }
    if (!spaceBefore) return malformedTag(buf, lt, qname);
    const nameStart = i;
    while (i < buf.length && !isSpace(buf[i]) && buf[i] !== "=" && buf[i] !== ">" && buf[i] !== "/") i++;
    const name = buf.slice(nameStart, i);
    while (isSpace(buf[i])) i++;
    if (i >= buf.length) return { kind: "incomplete" };
    if (buf[i] !== "=" || !NAME.test(name)) return malformedTag(buf, lt, qname);
    i++;
    while (isSpace(buf[i])) i++;
    const quote = buf[i];
    if (quote === undefined) return { kind: "incomplete" };
    if (quote !== '"' && quote !== "'") return malformedTag(buf, lt, qname);
    const close = buf.indexOf(quote, i + 1);
    if (close < 0) return { kind: "incomplete" };
    const value = buf.slice(i + 1, close);
    if (value.includes("<")) return malformedTag(buf, lt, qname);
    attributes.push([name, value.replace(/[\t\n\r]/g, " ")]);
    i = close + 1;
  }
}

function malformedTag(buf: string, lt: number, qname: string): Markup {
  const gt = buf.indexOf(">", lt);
  if (gt < 0) return { kind: "incomplete" };
  return { kind: "malformed", end: gt + 1, message: `the tag <${qname}> is not well-formed` };
}
