import { sha256Hex } from "../hash";
import { isMissingId, normalizeId } from "../ids";
import { issueValue } from "../issue-codes";
import type { Issue } from "../issues";
import type { CustomerRecord, UserId } from "../items";

/**
 * E-goi contacts → customer records (the product description's mapping table):
 * - `base.contact_id` → user id of type egoi_contact_id (required: a contact without one is an
 *   issue of that contact);
 * - `base.email`, when there is one → email_sha256 of the trimmed, lowercased address;
 * - `base.status`, `consent`, `email_status`, `cellphone_status`, `phone_status` → attributes
 *   `egoi.account<ACCOUNT-ID>.list<LIST-ID>.status`, `.consent`, `.emailStatus`,
 *   `.cellphoneStatus`, `.phoneStatus`, each only when the contact has it (and the status of an
 *   e-mail, cellphone or phone only when it has that too).
 * Everything else of the contact (names, phones, extra fields) is not imported.
 */
export interface EgoiMappingContext {
  /** `general_info.client_id` of GET /my-account. */
  accountId: string;
  listId: number;
  /** Position of the contact in the list (1-based), for its issues; null when unknown. */
  row?: number | null;
}

export interface EgoiMappedContact {
  record: CustomerRecord | null;
  /** The contact id, the item key for issues and reports. */
  key: string | null;
  issues: Issue[];
}

export const EGOI_ID_TYPE = "egoi_contact_id";

/**
 * E-goi base field → attribute suffix, and the field the contact must have for it to count: the
 * status of an e-mail, cellphone or phone is imported only when the contact has one.
 */
const EGOI_ATTRIBUTES = [
  ["status", "status", null],
  ["consent", "consent", null],
  ["email_status", "emailStatus", "email"],
  ["cellphone_status", "cellphoneStatus", "cellphone"],
  ["phone_status", "phoneStatus", "phone"],
] as const;

const present = (value: unknown) => value !== undefined && value !== null && value !== "";

export function egoiAttributePrefix(accountId: string, listId: number): string {
  return `egoi.account${accountId}.list${listId}.`;
}

export async function mapEgoiContact(contact: unknown, ctx: EgoiMappingContext): Promise<EgoiMappedContact> {
  const row = ctx.row ?? null;
  const issues: Issue[] = [];
  const base = isObject(contact) ? contact.base : undefined;
  if (!isObject(base)) {
    issues.push({
      row,
      item: null,
      field: "base",
      code: "not_an_object",
      severity: "error",
      message: 'The E-goi contact has no "base" object with its fields.',
      value: issueValue(contact),
    });
    return { record: null, key: null, issues };
  }

  const rawId = base.contact_id;
  const key =
    typeof rawId === "string" && !isMissingId(rawId)
      ? rawId.trim()
      : typeof rawId === "number" && Number.isFinite(rawId)
        ? String(rawId)
        : null;
  if (key === null) {
    issues.push({
      row,
      item: null,
      field: "contact_id",
      code: "missing_field",
      severity: "error",
      message: "The E-goi contact has no contact_id: it cannot be imported.",
      value: null,
    });
    return { record: null, key: null, issues };
  }

  const ids: UserId[] = [{ type: EGOI_ID_TYPE, value: key }];
  const email = base.email;
  if (typeof email === "string" && !isMissingId(email)) {
    ids.push({ type: "email_sha256", value: await sha256Hex(normalizeId(email)) });
  }
  const prefix = egoiAttributePrefix(ctx.accountId, ctx.listId);
  const attributes: Record<string, unknown> = {};
  for (const [field, suffix, needs] of EGOI_ATTRIBUTES) {
    const value = base[field];
    const channel = needs === null ? null : base[needs];
    const available = needs === null || (typeof channel === "string" && !isMissingId(channel));
    if (present(value) && available) attributes[prefix + suffix] = value;
  }
  return { record: { ids, attributes }, key, issues };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
