const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = "";
  for (const byte of view) out += HEX[byte];
  return out;
}

const encoder = new TextEncoder();

/** SHA-256 of the UTF-8 bytes of `text`, as lowercase hex, through WebCrypto. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const W = new Int32Array(64);
/** ASCII inputs up to this length hash in a reused buffer (2 blocks). */
const MAX_FAST_CHARS = 119;
const FAST_WORDS = new Int32Array(32);

/**
 * SHA-256 of the UTF-8 bytes of `text`, as lowercase hex, computed synchronously. The same
 * answer as sha256Hex (a test compares them); used on the hot path of imports, where one
 * WebCrypto call per id costs more than reading the row (about 25 µs each in Node).
 */
export function sha256HexSync(text: string): string {
  // Ids are short ASCII text: their words are filled straight from char codes, into a reused
  // buffer; anything else goes through UTF-8 bytes.
  let length = text.length;
  let ascii = length <= MAX_FAST_CHARS;
  for (let i = 0; ascii && i < length; i++) if (text.charCodeAt(i) > 0x7f) ascii = false;
  let words: Int32Array;
  if (ascii) {
    words = FAST_WORDS;
    words.fill(0);
    for (let i = 0; i < length; i++)
      words[i >>> 2] = (words[i >>> 2] ?? 0) | (text.charCodeAt(i) << (24 - (i & 3) * 8));
  } else {
    const bytes = encoder.encode(text);
    length = bytes.length;
    words = new Int32Array(((length + 9 + 63) >>> 6) << 4);
    for (let i = 0; i < length; i++)
      words[i >>> 2] = (words[i >>> 2] ?? 0) | ((bytes[i] ?? 0) << (24 - (i & 3) * 8));
  }
  const blocks = ((length + 9 + 63) >>> 6) << 4;
  words[length >>> 2] = (words[length >>> 2] ?? 0) | (0x80 << (24 - (length & 3) * 8));
  words[blocks - 1] = length * 8;
  let h0 = 0x6a09e667;
  let h1 = 0xbb67ae85 | 0;
  let h2 = 0x3c6ef372;
  let h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f;
  let h5 = 0x9b05688c | 0;
  let h6 = 0x1f83d9ab;
  let h7 = 0x5be0cd19;
  for (let offset = 0; offset < blocks; offset += 16) {
    for (let t = 0; t < 16; t++) W[t] = words[offset + t] ?? 0;
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15] ?? 0;
      const w2 = W[t - 2] ?? 0;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = ((W[t - 16] ?? 0) + s0 + (W[t - 7] ?? 0) + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + (K[t] ?? 0) + (W[t] ?? 0)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  putHex(h0, 0);
  putHex(h1, 8);
  putHex(h2, 16);
  putHex(h3, 24);
  putHex(h4, 32);
  putHex(h5, 40);
  putHex(h6, 48);
  putHex(h7, 56);
  return String.fromCharCode(...HEX_OUT);
}

/** Writes `word` as 8 hex digits into HEX_OUT from `at`. */
function putHex(word: number, at: number): void {
  for (let i = 0; i < 8; i++) HEX_OUT[at + i] = HEX_DIGITS[(word >>> (28 - 4 * i)) & 15] ?? 0;
}

/** Char codes of the hex digits. */
const HEX_DIGITS = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/**
 * The hash's 64 hex digits as char codes, made into one flat string at once: concatenating
 * pieces made a tree of ~15 strings for each id, which an item then kept alive (and it was slower).
 */
const HEX_OUT: number[] = new Array(64).fill(0);
