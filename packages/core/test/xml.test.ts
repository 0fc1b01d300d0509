import { describe, expect, it } from "vitest";
import { ImportFileError } from "../src/issues";
import {
  ATOM_NAMESPACE,
  GOOGLE_NAMESPACE,
  textContent,
  type XmlElement,
  XmlItemReader,
  type XmlItemReaderOptions,
} from "../src/xml";
import { seededRandom as mulberry32 } from "./support/random";

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">
  <channel>
    <title>Shop</title>
    <!-- two items -->
    <item>
      <g:id>p1</g:id>
      <title>Tom &amp; Jerry &#8211; &#x1F600; &lt;3 &quot;&apos;</title>
      <description><![CDATA[<b>bold</b> & raw]]></description>
      <g:price>15.00 USD</g:price>
      <g:shipping><g:country>US</g:country><g:price>4.95 USD</g:price></g:shipping>
    </item>
    <item><g:id>p2</g:id><g:image_link>https://x.test/a.png?a=1&amp;b=2</g:image_link><empty/></item>
  </channel>
</rss>
`;

function readAll(text: string, options: XmlItemReaderOptions, sizes?: () => number) {
  const reader = new XmlItemReader(options);
  const items = [];
  if (!sizes) items.push(...reader.write(text));
  else
    for (let i = 0; i < text.length; ) {
      const size = sizes();
      items.push(...reader.write(text.slice(i, i + size)));
      i += size;
    }
  items.push(...reader.end());
  return { items, names: reader.elementNames };
}

const fields = (element: XmlElement) => Object.fromEntries(element.children.map((c) => [c.name, c.text]));

function fileError(run: () => unknown): ImportFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportFileError) return error;
    throw error;
  }
  throw new Error("expected an ImportFileError");
}

describe("XmlItemReader", () => {
  it("reads each <item> as its child elements, with entities, CDATA and the g: namespace", () => {
    const { items, names } = readAll(RSS, { itemElement: "item", rootElements: ["rss"] });
    expect(items.map((i) => i.row)).toEqual([6, 13]);
    expect(items.map((i) => i.problems)).toEqual([[], []]);
    const [first, second] = items;
    expect(fields(first?.element ?? ({} as XmlElement))).toMatchObject({
      "g:id": "p1",
      title: "Tom & Jerry – 😀 <3 \"'",
      description: "<b>bold</b> & raw",
      "g:price": "15.00 USD",
    });
    expect(first?.element.children[4]?.children.map((c) => [c.name, c.text])).toEqual([
      ["g:country", "US"],
      ["g:price", "4.95 USD"],
    ]);
    expect(fields(second?.element ?? ({} as XmlElement))).toEqual({
      "g:id": "p2",
      "g:image_link": "https://x.test/a.png?a=1&b=2",
      empty: "",
    });
    expect(names).toEqual(["g:id", "title", "description", "g:price", "g:shipping", "g:image_link", "empty"]);
  });

  it("gives the same items for any chunk sizes (seeded random, 1 character up to the whole file)", () => {
    const whole = readAll(RSS, { itemElement: "item" });
    for (let seed = 1; seed <= 40; seed++) {
      const random = mulberry32(seed);
      const max = seed % 4 === 0 ? RSS.length : 1 + Math.floor(random() * 30);
      expect(readAll(RSS, { itemElement: "item" }, () => 1 + Math.floor(random() * max))).toEqual(whole);
    }
  });

  it("names Google elements g: whatever prefix the file binds to the namespace", () => {
    const xml = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:google="http://base.google.com/ns/1.0">
<entry><google:id>a1</google:id><title>T</title><link href="https://x.test/a" rel="alternate"/><other:x xmlns:other="urn:o">1</other:x></entry></feed>`;
    const { items } = readAll(xml, { itemElement: "entry", rootElements: ["feed"] });
    expect(items[0]?.element.children.map((c) => [c.name, c.text, c.attributes])).toEqual([
      ["g:id", "a1", {}],
      ["title", "T", {}],
      ["link", "", { href: "https://x.test/a", rel: "alternate" }],
      ["other:x", "1", {}],
    ]);
  });

  it("names elements by namespace URI, whatever prefix the file binds, default namespace included", () => {
    const namespaces = { [GOOGLE_NAMESPACE]: "g", [ATOM_NAMESPACE]: "" };
    const xml = `<atom:feed xmlns:atom="${ATOM_NAMESPACE}" xmlns:gg="${GOOGLE_NAMESPACE}">
<atom:entry><atom:title>T</atom:title><atom:link href="https://x.test/a"/><gg:id>a1</gg:id>
<id xmlns="${GOOGLE_NAMESPACE}">a2</id><x:title xmlns:x="${ATOM_NAMESPACE}">T2</x:title><other:x xmlns:other="urn:o">1</other:x></atom:entry></atom:feed>`;
    const { items, names } = readAll(xml, { itemElement: "entry", rootElements: ["feed"], namespaces });
    expect(items).toHaveLength(1);
    expect(names).toEqual(["title", "link", "g:id", "other:x"]);
    expect(items[0]?.element.children.map((c) => [c.name, c.text])).toEqual([
      ["title", "T"],
      ["link", ""],
      ["g:id", "a1"],
      ["g:id", "a2"],
      ["title", "T2"],
      ["other:x", "1"],
    ]);
    // In RSS, Atom's elements keep apart from RSS's own (an atom:link does not stand for <link>).
    const rss = `<rss xmlns:a="${ATOM_NAMESPACE}"><channel><item><a:link href="h"/><link xmlns="${ATOM_NAMESPACE}"/><link>L</link></item></channel></rss>`;
    const read = readAll(rss, { itemElement: "item", namespaces: { [ATOM_NAMESPACE]: "atom" } });
    expect(read.items[0]?.element.children.map((c) => c.name)).toEqual(["atom:link", "atom:link", "link"]);
  });

  it("gives an element's text content in document order, markup dropped, line ends as LF", () => {
    const xml =
      "<rss><item><d>Soft <b>cotton</b> <i>tee, <u>100%</u></i>!</d><e> a\r<b>x\r\ny</b>\r\nz </e><f>plain</f></item></rss>";
    const whole = readAll(xml, { itemElement: "item" });
    const [d, e, f] = whole.items[0]?.element.children ?? [];
    expect([d, e, f].map((element) => (element ? textContent(element) : null))).toEqual([
      "Soft cotton tee, 100%!",
      " a\nx\ny\nz ",
      "plain",
    ]);
    for (let seed = 1; seed <= 20; seed++) {
      const random = mulberry32(seed);
      expect(readAll(xml, { itemElement: "item" }, () => 1 + Math.floor(random() * 8))).toEqual(whole);
    }
    // Deep nesting costs no stack.
    const deep = `<rss><item><d>${"<b>".repeat(20000)}x${"</b>".repeat(20000)}</d></item></rss>`;
    const [deepD] = readAll(deep, { itemElement: "item" }).items[0]?.element.children ?? [];
    expect(deepD ? textContent(deepD) : null).toBe("x");
  });

  it("counts lines across CRLF, CR and multi-line elements for each item's row", () => {
    const xml =
      '<rss>\r\n<channel>\r<item><a>x\r\ny</a></item>\n\n<item\n  id="2"><a/></item></channel></rss>';
    const { items } = readAll(xml, { itemElement: "item" });
    expect(items.map((i) => i.row)).toEqual([3, 6]);
    expect(items[0]?.element.children[0]?.text).toBe("x\ny");
  });

  it("reads a chunk after its prologue, with rows from firstRow", () => {
    const cut = RSS.indexOf("<item><g:id>p2");
    const reader = new XmlItemReader({
      itemElement: "item",
      prologue: RSS.slice(0, RSS.indexOf("<item>")),
      firstRow: 13,
    });
    const items = [...reader.write(RSS.slice(cut)), ...reader.end()];
    expect(items.map((i) => [i.row, fields(i.element)["g:id"]])).toEqual([[13, "p2"]]);
  });

  describe("security", () => {
    it("never resolves an external entity (XXE): the reference stays as written and is a problem", () => {
      const xml = `<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rss><channel><item><g:id>&xxe;</g:id></item></channel></rss>`;
      const { items } = readAll(xml, { itemElement: "item" });
      expect(items).toHaveLength(1);
      expect(items[0]?.element.children[0]?.text).toBe("&xxe;");
      expect(items[0]?.problems).toEqual([
        '<g:id> uses the entity "&xxe;", which is not defined (only &lt; &gt; &amp; &quot; &apos; and numeric references are read).',
      ]);
    });

    it("never expands a billion-laughs entity: the item keeps the reference as written and is a problem", () => {
      const laughs = Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
      ).join("\n");
      const xml = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol0 "lol">
${laughs}
]>
<rss><channel><item><title>&lol9;</title></item></channel></rss>`;
      const { items } = readAll(xml, { itemElement: "item" });
      expect(items).toHaveLength(1);
      expect(items[0]?.element.children[0]?.text).toBe("&lol9;");
      expect(items[0]?.problems).toEqual([
        '<title> uses the entity "&lol9;", which is not defined (only &lt; &gt; &amp; &quot; &apos; and numeric references are read).',
      ]);
    });
  });

  describe("malformed XML", () => {
    it("makes a problem of the item for a bare &, a misnested tag or a stray <, and goes on", () => {
      const xml = `<rss><channel>
<item><title>AT&T</title></item>
<item><title>a <b>b</title></b></item>
<item><title>1 < 2</title></item>
<item><title>ok</title></item>
</channel></rss>`;
      const { items } = readAll(xml, { itemElement: "item" });
      expect(items.map((i) => [i.row, i.problems])).toEqual([
        [2, ['<title> contains a bare "&"; write it as &amp;.']],
        [3, ["Line 3: <b> is not closed before </title>.", "Line 3: </b> closes no open element."]],
        [4, ['Line 4: "<" must be written as &lt; in text.']],
        [5, []],
      ]);
    });

    it("reports an item cut by the end of the file", () => {
      const { items } = readAll("<rss><channel>\n<item><title>Cut", { itemElement: "item" });
      expect(items.map((i) => [i.row, i.problems])).toEqual([
        [2, ["The <item> that starts on line 2 is not closed before the end of the file."]],
      ]);
    });

    it("refuses a file that is no XML, naming what it starts with", () => {
      const error = fileError(() => readAll("id\ttitle\np1\tShirt\n", { itemElement: "item" }));
      expect(error.code).toBe("wrong_format");
      expect(error.message).toBe(
        'The file is not XML: it starts with "id\ttitle" instead of a tag. Check the import\'s format.',
      );
    });

    it("refuses another root element than the format's", () => {
      const error = fileError(() =>
        readAll('<feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>', {
          itemElement: "item",
          rootElements: ["rss"],
        }),
      );
      expect(error.message).toBe("The file's root element is <feed>, not <rss>: check the import's format.");
    });

    it("refuses tags that do not match outside items, naming the line", () => {
      const error = fileError(() => readAll("<rss>\n<channel>\n</rss>", { itemElement: "item" }));
      expect(error.code).toBe("wrong_format");
      expect(error.message).toBe("The file is not well-formed XML: line 3: </rss> does not close <channel>.");
    });

    it("refuses an item longer than the limit", () => {
      const xml = `<rss><item><title>${"x".repeat(200)}</title></item></rss>`;
      const error = fileError(() => readAll(xml, { itemElement: "item", maxItemChars: 100 }, () => 50));
      expect(error.code).toBe("record_too_large");
    });
  });
});
