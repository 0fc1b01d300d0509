/**
 * The order ids seen by a reader, for non_contiguous_order. The set grows with the file, so it
 * is kept compact, and it is exact: an id is reported as seen only if that very id was added.
 *
 * Most order ids are a text prefix and a sequence number (`1001`, `#1001`, `or123456`): those
 * are kept as one bit each, in pages of PAGE_IDS consecutive numbers per prefix, so a file of
 * sequential ids costs about one bit an order (400,000 orders: 50 KiB) and the set stays flat
 * in the file's size. Every other id, and a numbered id whose page is not allowed (pages of sparse
 * numbers would cost more than text: see pageAllowed), is kept as its characters in a TextIdSet.
 * Pages never take more than FREE_PAGE_BYTES plus PAGE_BYTES_PER_ID bytes for each numbered id
 * added. Ids kept as text still grow with the file: their characters (a byte each while they are
 * Latin-1) plus 9 to 17 bytes each (400,000 UUIDs: about 20 MB); a chunk's reader holds only the
 * ids of its chunk.
 */

/** Numbers a page holds, one bit each (512 bytes a page). */
const PAGE_IDS = 4096;
const PAGE_BYTES = PAGE_IDS / 8;
/** Pages are made freely up to this many bytes... */
const FREE_PAGE_BYTES = 64 * 1024;
/** ...and beyond it, while they cost at most this many bytes for each numbered id added. */
const PAGE_BYTES_PER_ID = 4;
/** Longest sequence number read as a number (below 2^53, so it is exact). */
const MAX_DIGITS = 15;

/**
 * Where the sequence number of `id` starts: its trailing digits, when there are 1 to
 * MAX_DIGITS of them and they have no leading zero (so that the number gives back the digits
 * exactly: `or01` and `or1` are different ids); -1 otherwise.
 */
function numberStart(id: string): number {
  let start = id.length;
  while (start > 0) {
    const c = id.charCodeAt(start - 1);
    if (c < 48 || c > 57) break;
    start--;
  }
  const digits = id.length - start;
  if (digits === 0 || digits > MAX_DIGITS) return -1;
  if (digits > 1 && id.charCodeAt(start) === 48) return -1;
  return start;
}

export class IdSet {
  private readonly text = new TextIdSet();
  /** Pages of bits by prefix, then by page number (number / PAGE_IDS). */
  private readonly prefixes = new Map<string, Map<number, Uint8Array>>();
  /** The prefix of the last numbered id and its pages: consecutive ids nearly always share it. */
  private lastPrefix: string | null = null;
  private lastPages: Map<number, Uint8Array> | undefined;
  private pageCount = 0;
  private idsInPages = 0;
  /** Numbered ids added, in pages or as text. */
  private numbered = 0;
  /** Numbered ids kept as text, since their page could not be made when they were added. */
  private numberedInText = 0;

  get size(): number {
    return this.idsInPages + this.text.size;
  }

  /** Bytes held by pages (for tests and measurements). */
  get pageBytes(): number {
    return this.pageCount * PAGE_BYTES;
  }

  has(id: string): boolean {
    const start = numberStart(id);
    if (start < 0) return this.text.has(id);
    const number = numberAt(id, start);
    const bits = this.pagesOf(id, start)?.get(Math.floor(number / PAGE_IDS));
    if (bits && isSet(bits, number % PAGE_IDS)) return true;
    return this.numberedInText > 0 && this.text.has(id);
  }

  /** Adds `id`; answers whether it was new. */
  add(id: string): boolean {
    const start = numberStart(id);
    if (start < 0) return this.text.add(id);
    const number = numberAt(id, start);
    const page = Math.floor(number / PAGE_IDS);
    const bit = number % PAGE_IDS;
    let pages = this.pagesOf(id, start);
    let bits = pages?.get(page);
    if (bits && isSet(bits, bit)) return false;
    // The id may be text from before its page was made.
    if (this.numberedInText > 0 && this.text.has(id)) return false;
    this.numbered++;
    if (!bits) {
      if (!this.pageAllowed()) {
        this.numberedInText++;
        return this.text.add(id);
      }
      if (!pages) {
        pages = new Map();
        const prefix = id.slice(0, start);
        this.prefixes.set(prefix, pages);
        this.lastPrefix = prefix;
        this.lastPages = pages;
      }
      bits = new Uint8Array(PAGE_BYTES);
      pages.set(page, bits);
      this.pageCount++;
    }
    bits[bit >>> 3] = (bits[bit >>> 3] ?? 0) | (1 << (bit & 7));
    this.idsInPages++;
    return true;
  }

  private pageAllowed(): boolean {
    return (this.pageCount + 1) * PAGE_BYTES <= FREE_PAGE_BYTES + this.numbered * PAGE_BYTES_PER_ID;
  }

  /** The pages of the prefix `id[0, start)`, if it has any. */
  private pagesOf(id: string, start: number): Map<number, Uint8Array> | undefined {
    const last = this.lastPrefix;
    if (last !== null && last.length === start && id.startsWith(last)) return this.lastPages;
    const prefix = id.slice(0, start);
    const pages = this.prefixes.get(prefix);
    if (pages) {
      this.lastPrefix = prefix;
      this.lastPages = pages;
    }
    return pages;
  }
}

function numberAt(id: string, start: number): number {
  let number = 0;
  for (let i = start; i < id.length; i++) number = number * 10 + (id.charCodeAt(i) - 48);
  return number;
}

const isSet = (bits: Uint8Array, bit: number) => ((bits[bit >>> 3] ?? 0) & (1 << (bit & 7))) !== 0;

/** Characters are kept in pages of this many units, so growing never copies them. */
const CHAR_PAGE = 1 << 16;

/**
 * A set of strings kept as their char codes (a JS Set measured ~70 bytes an id): each id is its
 * length (one unit, or three past 254) and then its characters, in pages of CHAR_PAGE units,
 * bytes until an id needs more; found again through an open-addressing table of their
 * positions, resized at half full. Ids are copied in, so no id keeps the text it was cut from
 * alive. An id is kept and compared by its first 65,535 characters (no order id comes near).
 */
export class TextIdSet {
  private pages: (Uint8Array | Uint16Array)[] = [];
  private wide = false;
  /** Units used in the last page. */
  private used = CHAR_PAGE;
  /** Position (page × CHAR_PAGE + offset) of the id in each slot, or -1. */
  private slots = new Int32Array(1 << 10).fill(-1);
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.slots[this.find(id, hashOf(id))] !== -1;
  }

  /** Adds `id`; answers whether it was new. */
  add(id: string): boolean {
    const slot = this.find(id, hashOf(id));
    if (this.slots[slot] !== -1) return false;
    const length = Math.min(id.length, 0xffff);
    if (!this.wide) {
      for (let i = 0; i < length; i++) {
        if (id.charCodeAt(i) > 0xff) {
          this.widen();
          break;
        }
      }
    }
    const units = length + (length < 0xff ? 1 : 3);
    if (this.used + units > CHAR_PAGE) {
      // A page of its own for an id longer than a page.
      const size = Math.max(CHAR_PAGE, units);
      this.pages.push(this.wide ? new Uint16Array(size) : new Uint8Array(size));
      this.used = 0;
    }
    const pageIndex = this.pages.length - 1;
    const page = this.pages[pageIndex] as Uint8Array | Uint16Array;
    let at = this.used;
    this.slots[slot] = pageIndex * CHAR_PAGE + at;
    if (length < 0xff) {
      page[at++] = length;
    } else {
      page[at++] = 0xff;
      page[at++] = length >>> 8;
      page[at++] = length & 0xff;
    }
    for (let i = 0; i < length; i++) page[at++] = id.charCodeAt(i);
    // A page of its own is full.
    this.used = page.length > CHAR_PAGE ? CHAR_PAGE : at;
    this.count++;
    if (this.count * 2 > this.slots.length) this.grow();
    return true;
  }

  private widen(): void {
    this.pages = this.pages.map((page) => Uint16Array.from(page));
    this.wide = true;
  }

  /** The slot of `id`, or the empty slot where it would go. */
  private find(id: string, hash: number): number {
    const mask = this.slots.length - 1;
    const length = Math.min(id.length, 0xffff);
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const position = this.slots[slot] ?? -1;
      if (position === -1) return slot;
      if (this.equals(position, id, length)) return slot;
    }
  }

  private equals(position: number, id: string, length: number): boolean {
    const page = this.pages[Math.floor(position / CHAR_PAGE)] as Uint8Array | Uint16Array;
    let at = position % CHAR_PAGE;
    let stored = page[at++] ?? 0;
    if (stored === 0xff) {
      stored = ((page[at] ?? 0) << 8) | (page[at + 1] ?? 0);
      at += 2;
    }
    if (stored !== length) return false;
    for (let i = 0; i < length; i++) if (page[at + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2).fill(-1);
    const mask = this.slots.length - 1;
    for (const position of old) {
      if (position === -1) continue;
      let slot = this.hashAt(position) & mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
      this.slots[slot] = position;
    }
  }

  /** hashOf the id stored at `position`. */
  private hashAt(position: number): number {
    const page = this.pages[Math.floor(position / CHAR_PAGE)] as Uint8Array | Uint16Array;
    let at = position % CHAR_PAGE;
    let length = page[at++] ?? 0;
    if (length === 0xff) {
      length = ((page[at] ?? 0) << 8) | (page[at + 1] ?? 0);
      at += 2;
    }
    let hash = 0x811c9dc5;
    for (let i = 0; i < length; i++) hash = Math.imul(hash ^ (page[at + i] ?? 0), 0x01000193);
    return hash >>> 0;
  }
}

/** FNV-1a over the first 65,535 char codes. */
function hashOf(id: string): number {
  let hash = 0x811c9dc5;
  const length = Math.min(id.length, 0xffff);
  for (let i = 0; i < length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
