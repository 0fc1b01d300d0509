import type { ReadResult } from "./engine";
import { sha256HexSync } from "./hash";
import type { Issue, IssueCode } from "./issues";
import type { CustomerRecord, Order, UserId } from "./items";

/**
 * User ids. Any id type is allowed in customer imports; these are the ones the platform knows,
 * and the ones whose values are checked.
 */
export const BUILT_IN_ID_TYPES = [
  "email",
  "email_sha256",
  "phone",
  "phone_sha256",
  "customer_id",
  "cookie",
  "gaid",
  "idfa",
  "egoi_contact_id",
] as const;
export type BuiltInIdType = (typeof BUILT_IN_ID_TYPES)[number];

/**
 * An id type as the platform names it: a built-in type written in another case or with spaces
 * around it (`Email`, ` PHONE`) is that type, so that it is checked and hashed as the type is
 * (read as written, an `Email` id would be stored in plain text whatever hashUserIds says).
 * Any other type stays as written.
 */
export function idTypeOf(written: string): string {
  const type = written.trim().toLowerCase();
  return (BUILT_IN_ID_TYPES as readonly string[]).includes(type) ? type : written;
}

/** Plain id types and the hashed type `hashUserIds` turns them into. */
export const HASHED_ID_TYPES: Readonly<Record<string, string>> = {
  email: "email_sha256",
  phone: "phone_sha256",
};

/** Longest id value accepted; longer values are data in the wrong column. */
export const MAX_ID_LENGTH = 512;

const NOT_IDS = new Set(["", "null", "undefined", "none"]);
const LONGEST_NOT_ID = Math.max(...[...NOT_IDS].map((text) => text.length));
const visibleAscii = (code: number) => code > 32 && code < 127;

/** `""`, `"null"`, `"undefined"` and `"none"` (any case, trimmed), null and undefined are not ids. */
export function isMissingId(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value !== "string") return false;
  // A text longer than the longest of them that begins and ends with a visible ASCII character
  // (none that trim removes) is an id, found without copying it.
  if (
    value.length > LONGEST_NOT_ID &&
    visibleAscii(value.charCodeAt(0)) &&
    visibleAscii(value.charCodeAt(value.length - 1))
  )
    return false;
  return NOT_IDS.has(value.trim().toLowerCase());
}

/** The form an id is hashed in: trimmed and lowercased. */
export function normalizeId(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * The value stored for an id: trimmed; e-mails and hashes also lowercased, since they match
 * whatever their case. Other ids (customer ids, cookies) keep their case.
 */
export function storedIdValue(type: string, value: string): string {
  const trimmed = value.trim();
  return type === "email" || type === "email_sha256" || type === "phone_sha256"
    ? trimmed.toLowerCase()
    : trimmed;
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+?[0-9 ()./-]+$/;
const ADVERTISING_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export interface IdProblem {
  code: IssueCode;
  message: string;
}

/**
 * The problem with an id value of a type, or null when it is fine. The value is a present id
 * (see isMissingId). Unknown types are not checked.
 */
export function checkUserId(type: string, value: string): IdProblem | null {
  const id = value.trim();
  const shown = JSON.stringify(value);
  if (id.length > MAX_ID_LENGTH) {
    return {
      code: "value_too_long",
      message: `The ${type} id is ${id.length} characters long; ids have at most ${MAX_ID_LENGTH}.`,
    };
  }
  switch (type) {
    case "email_sha256":
    case "phone_sha256":
      if (SHA256_HEX.test(id)) return null;
      return {
        code: type === "email_sha256" ? "invalid_email_sha256" : "invalid_phone_sha256",
        message: `An ${type} id must be a SHA-256 hash: 64 hexadecimal characters; got ${shown}. For plain ${type === "email_sha256" ? "e-mails" : "phone numbers"}, use the id type ${type === "email_sha256" ? "email" : "phone"} with options.hashUserIds.`,
      };
    case "email":
      if (EMAIL.test(id)) return null;
      return {
        code: "invalid_id",
        message: `An email id must be an e-mail address, like ann@example.com; got ${shown}.`,
      };
    case "phone":
      if (PHONE.test(id) && /\d{3}/.test(id.replace(/\D/g, ""))) return null;
      return {
        code: "invalid_id",
        message: `A phone id must be a phone number (digits, optionally +, spaces, dashes, dots and parentheses), like +351-912345678; got ${shown}.`,
      };
    case "gaid":
    case "idfa":
      if (ADVERTISING_ID.test(id)) return null;
      return {
        code: "invalid_id",
        message: `A ${type} id must be an advertising id like 38400000-8cf0-11bd-b23e-10b96e40000d; got ${shown}.`,
      };
    default:
      return null;
  }
}

/**
 * The warning of an id that hashUserIds leaves as written although it is an e-mail address: its
 * type is none that is hashed (a custom type such as `E-mail` or `mail`).
 */
function unhashedEmail(id: UserId, field: string | null, row: number | null): Issue | null {
  if (HASHED_ID_TYPES[id.type] || id.type.endsWith("_sha256") || !EMAIL.test(id.value.trim())) return null;
  return {
    row,
    item: null,
    field,
    code: "unhashed_id",
    severity: "warning",
    message: `This id is an e-mail address, but its type "${id.type}" is none that hashUserIds hashes (email, phone): it is stored as written. Give it the type email to store it hashed.`,
    value: id.value,
  };
}

/**
 * With options.hashUserIds, turns the plain email and phone ids of valid items into
 * email_sha256 and phone_sha256 (SHA-256 of the trimmed, lowercased value), in place. A value
 * repeated in the batch is hashed once. The hashing is synchronous (sha256HexSync, the same
 * answer as WebCrypto): one promise per id cost more than the hash itself. An e-mail address
 * whose type is none that is hashed stays as written, with an unhashed_id warning.
 */
export async function hashUserIdsOf(
  results: ReadResult<Order | CustomerRecord>[],
  options: { hashUserIds?: boolean },
): Promise<void> {
  if (!options.hashUserIds) return;
  const hashes = new Map<string, string>();
  const hashOf = (value: string) => {
    const normalized = normalizeId(value);
    let hash = hashes.get(normalized);
    if (hash === undefined) {
      hash = sha256HexSync(normalized);
      hashes.set(normalized, hash);
    }
    return hash;
  };
  for (const result of results) {
    const item = result.item;
    if (!item) continue;
    if ("ids" in item) {
      for (const id of item.ids) {
        const warning = unhashedEmail(id, null, result.row);
        if (warning) result.issues.push(warning);
      }
      if (item.ids.some((id) => HASHED_ID_TYPES[id.type])) hashCustomerIds(item, hashOf);
      continue;
    }
    if (item.userIdType === null || item.userId === null) continue;
    const hashedType = HASHED_ID_TYPES[item.userIdType];
    if (!hashedType) {
      const warning = unhashedEmail({ type: item.userIdType, value: item.userId }, "userId", result.row);
      if (warning) result.issues.push(warning);
      continue;
    }
    item.userId = hashOf(item.userId);
    item.userIdType = hashedType;
  }
}

function hashCustomerIds(record: CustomerRecord, hashOf: (value: string) => string): void {
  const ids = record.ids.map((id): UserId => {
    const hashedType = HASHED_ID_TYPES[id.type];
    return hashedType ? { type: hashedType, value: hashOf(id.value) } : id;
  });
  // A file may give both the e-mail and its hash: keep one of each.
  const seen = new Set<string>();
  record.ids = ids.filter((id) => {
    const key = `${id.type}\u0000${id.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
