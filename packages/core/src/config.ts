// Every module imports zod as a namespace: bundlers then keep only the parts used. A named
// `{ z }` import is zod's whole namespace, every locale with it (twice the bundle, ~6 MB more
// memory in each isolate that loads @cdp/core).
import * as z from "zod";
import { idTypeOf } from "./ids";
import {
  CAST_TYPES,
  ENCODINGS,
  FORMATS_BY_TYPE,
  IMPORT_FORMATS,
  IMPORT_TYPES,
  MAX_FIELD_NAME_LENGTH,
  MAX_TRANSFORMATIONS,
  MERGE_STRATEGIES,
  ORDER_ID_COLUMNS,
} from "./read-config";
import { compileTimestampPattern, TimestampPatternError } from "./transform/timestamp";

export const ImportType = z.enum(IMPORT_TYPES);
export type ImportType = z.infer<typeof ImportType>;

export const ImportFormat = z.enum(IMPORT_FORMATS, {
  error: () =>
    `unknown format; the formats are, for orders: ${FORMATS_BY_TYPE.orders.join(", ")}; for customers: ${FORMATS_BY_TYPE.customers.join(", ")}; for products: ${FORMATS_BY_TYPE.products.join(", ")}`,
});
export type ImportFormat = z.infer<typeof ImportFormat>;

export const Encoding = z.enum(ENCODINGS);
export type Encoding = z.infer<typeof Encoding>;

/** The secret fields of sources: encrypted at rest, shown as "***". */
export const SECRET_FIELDS = ["apiKey", "password", "privateKey", "secretAccessKey", "headers"] as const;
export const MASK = "***";

const watchPrefix = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .describe("Uploads under this prefix start this import when they complete.");

// Every object a request can hold is strict: a key it does not know (a typo such as `dry_run` or
// `hashUserIDs`) is refused, never dropped, since dropping it silently does something else than
// what the sender asked.

export const UploadSource = z.strictObject({
  type: z.literal("upload"),
  key: z.string().min(1).max(1024).describe("The key returned by POST /v1/uploads."),
  watchPrefix,
});

/** Where a tenant drops files straight into the files bucket: its r2 sources read only here. */
export const inboxObjectKey = (tenantId: string, key: string) => `tenants/${tenantId}/inbox/${key}`;

/** A key (or prefix) inside the tenant's inbox: relative, so it cannot name anything else. */
const inboxPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((path) => !path.startsWith("/") && !path.split("/").includes(".."), {
    message: "must be a path inside your inbox (tenants/<tenant id>/inbox/), without a leading '/' or '..'",
  });

export const R2Source = z
  .strictObject({
    type: z.literal("r2"),
    key: inboxPath
      .optional()
      .describe("The object to read, as a key inside tenants/<tenant id>/inbox/ of the files bucket."),
    watchPrefix: inboxPath
      .optional()
      .describe("Objects put under tenants/<tenant id>/inbox/<watchPrefix> start this import."),
  })
  .refine((s) => s.key !== undefined || s.watchPrefix !== undefined, {
    message: "an R2 source needs a key, a watchPrefix, or both",
    path: ["key"],
  });

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).refine((url) => {
  // A value that is no URL at all is refused above already (refinements still run on it).
  if (!URL.canParse(url)) return true;
  const { username, password } = new URL(url);
  return username === "" && password === "";
}, "must not carry a user name or password: send credentials in headers (such as Authorization), which are stored encrypted");

export const UrlSource = z.strictObject({
  type: z.literal("url"),
  url: httpUrl,
  headers: z.record(z.string(), z.string()).optional(),
});

export const S3Source = z.strictObject({
  type: z.literal("s3"),
  // Without an endpoint the bucket and region name the AWS host: they cannot hold anything else.
  bucket: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[A-Za-z0-9._-]+$/, "a bucket name holds only letters, digits, '.', '-' and '_'"),
  key: z.string().min(1),
  region: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9-]+$/, "a region is lowercase letters, digits and '-', such as eu-west-1")
    .optional(),
  endpoint: httpUrl.optional(),
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
});

export const SftpSource = z
  .strictObject({
    type: z.literal("sftp"),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    privateKey: z.string().min(1).optional(),
    path: z.string().min(1),
    hostKeySha256: z.string().min(1).optional(),
  })
  .refine((s) => s.password !== undefined || s.privateKey !== undefined, {
    message: "an SFTP source needs a password or a privateKey",
    path: ["password"],
  });

export const EgoiSource = z.strictObject({
  type: z.literal("egoi"),
  apiKey: z.string().min(1),
  listId: z.number().int().positive(),
});

export const Source = z.discriminatedUnion("type", [
  UploadSource,
  UrlSource,
  S3Source,
  SftpSource,
  EgoiSource,
  R2Source,
]);
export type Source = z.infer<typeof Source>;
export type SourceType = Source["type"];

export const ImportOptions = z.strictObject({
  hashUserIds: z.boolean().optional(),
  orderIdColumn: z.enum(ORDER_ID_COLUMNS).optional(),
  userIdField: z.string().min(1).optional(),
  userIdType: z.string().min(1).optional(),
  mergeStrategy: z.enum(MERGE_STRATEGIES).optional(),
  encoding: Encoding.optional(),
  delimiter: z.string().length(1).optional(),
  /** For zip archives with several entries: a glob of the entries to import. */
  entry: z.string().min(1).optional(),
});
export type ImportOptions = z.infer<typeof ImportOptions>;

export const ValueTransform = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("map"),
    mappings: z.array(z.strictObject({ from: z.unknown(), to: z.unknown() })).min(1),
  }),
  z.strictObject({ type: z.literal("timestamp"), pattern: z.string().min(1) }),
  z.strictObject({ type: z.literal("cast"), to: z.enum(CAST_TYPES) }),
]);
export type ValueTransform = z.infer<typeof ValueTransform>;

const fieldName = z.string().min(1).max(MAX_FIELD_NAME_LENGTH);

export const Transformation = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("rename"),
    from: fieldName,
    to: fieldName,
    values: z.array(ValueTransform).optional(),
  }),
  z.strictObject({
    op: z.literal("copy"),
    from: fieldName,
    to: fieldName,
    values: z.array(ValueTransform).optional(),
  }),
  z.strictObject({ op: z.literal("add"), field: fieldName, value: z.unknown() }),
  z.strictObject({ op: z.literal("delete"), field: fieldName }),
]);
export type Transformation = z.infer<typeof Transformation>;

export const Schedule = z.strictObject({
  everyDays: z.number().int().min(1, "a schedule repeats every 1 day or more").max(365),
  startAt: z.iso.datetime({ offset: true }),
  enabled: z.boolean().default(true),
});
export type Schedule = z.infer<typeof Schedule>;

/**
 * The parts of an import that decide how a file is read (no name, no schedule). Reading a file
 * checks them with `parseReadConfig` (./read-config), which accepts the same and loads no zod.
 */
export const ReadConfig = z.object({
  type: ImportType,
  format: ImportFormat,
  options: ImportOptions.default({}),
  transformations: z.array(Transformation).max(MAX_TRANSFORMATIONS).default([]),
});
export type ReadConfig = z.infer<typeof ReadConfig>;

/** Rules across fields; shared by the create, update and preview shapes. */
export function checkImportConfig(
  config: {
    type: ImportType;
    format: ImportFormat;
    source?: Source;
    options?: ImportOptions;
    transformations?: Transformation[];
  },
  ctx: z.RefinementCtx,
): void {
  const formats: readonly string[] = FORMATS_BY_TYPE[config.type];
  if (!formats.includes(config.format)) {
    ctx.addIssue({
      code: "custom",
      path: ["format"],
      message: `'${config.format}' is not a format of ${config.type} imports; use one of: ${formats.join(", ")}`,
      params: { reason: "unknown_format" },
    });
  }
  const isEgoiSource = config.source?.type === "egoi";
  if (config.source && isEgoiSource !== (config.format === "egoi_contacts")) {
    ctx.addIssue({
      code: "custom",
      path: isEgoiSource ? ["format"] : ["source", "type"],
      message: "the egoi_contacts format and an egoi source go together",
    });
  }
  if (isEgoiSource && (config.transformations?.length ?? 0) > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["transformations"],
      message: "E-goi contact imports do not allow transformations",
    });
  }
  if (config.type === "customers" && config.format !== "egoi_contacts") {
    for (const field of ["userIdField", "userIdType"] as const) {
      if (!config.options?.[field]) {
        ctx.addIssue({
          code: "custom",
          path: ["options", field],
          message: `customer imports from files need options.${field}`,
        });
      }
    }
  }
  for (const [option, value] of Object.entries(config.options ?? {})) {
    const rule = OPTION_RULES[option as keyof ImportOptions];
    if (value === undefined || !rule || rule.applies(config.type, config.format)) continue;
    ctx.addIssue({
      code: "custom",
      path: ["options", option],
      message: `does nothing in ${config.type} imports of format ${config.format}: ${rule.says}; leave it out`,
    });
  }
  if (config.source?.type === "sftp" && config.source.privateKey !== undefined) {
    const problem = privateKeyProblem(config.source.privateKey);
    if (problem) ctx.addIssue({ code: "custom", path: ["source", "privateKey"], message: problem });
  }
  const idType = config.options?.userIdType;
  if (idType !== undefined && idTypeOf(idType) !== idType) {
    ctx.addIssue({
      code: "custom",
      path: ["options", "userIdType"],
      message: `is the built-in id type "${idTypeOf(idType)}" written another way: write it "${idTypeOf(idType)}", which is checked and hashed as such`,
    });
  }
  const delimiter = config.options?.delimiter;
  if (delimiter === '"' || delimiter === "\r" || delimiter === "\n") {
    ctx.addIssue({
      code: "custom",
      path: ["options", "delimiter"],
      message: "cannot be a quote or a line end, which CSV uses for its own purposes",
    });
  }
  config.transformations?.forEach((op, i) => {
    if (op.op !== "rename" && op.op !== "copy") return;
    op.values?.forEach((step, j) => {
      const path = ["transformations", i, "values", j];
      for (const problem of valueTransformProblems(step)) {
        ctx.addIssue({ code: "custom", path: [...path, ...problem.path], message: problem.message });
      }
    });
  });
}

/**
 * Why an SFTP source's private key cannot be used, as a run would find when it connects: text
 * that is no private key, or a key encrypted with a passphrase (a source has none to give).
 * A stored (sealed) or masked key is not read here.
 */
function privateKeyProblem(key: string): string | null {
  if (key === MASK || key.startsWith("enc:v")) return null;
  const text = key.trim();
  if (text.startsWith("PuTTY-User-Key-File-")) {
    const encryption = /^Encryption: *(\S+)/m.exec(text)?.[1];
    return encryption && encryption !== "none"
      ? "is encrypted with a passphrase, which an SFTP source cannot give: export the key without one"
      : null;
  }
  const pem = /^-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----\s+([\s\S]*?)-----END \1PRIVATE KEY-----$/.exec(text);
  if (!pem) {
    return "is not a private key: paste the whole key file, from its -----BEGIN ... PRIVATE KEY----- line to its -----END ... line";
  }
  const encrypted =
    "is encrypted with a passphrase, which an SFTP source cannot give: export the key without one (ssh-keygen -p -N '')";
  if (pem[1] === "ENCRYPTED " || /^Proc-Type: *4,ENCRYPTED/m.test(pem[2] ?? "")) return encrypted;
  if (pem[1] === "OPENSSH ") {
    // openssh-key-v1\0, then the cipher's name as a length-prefixed string ("none" when not
    // encrypted). Key data that does not read so is left to the run's SSH library to judge.
    let bytes: string;
    try {
      bytes = atob((pem[2] ?? "").replace(/\s+/g, ""));
    } catch {
      return null;
    }
    if (!bytes.startsWith("openssh-key-v1\0")) return null;
    const at = "openssh-key-v1\0".length;
    const length =
      ((bytes.charCodeAt(at) << 24) |
        (bytes.charCodeAt(at + 1) << 16) |
        (bytes.charCodeAt(at + 2) << 8) |
        bytes.charCodeAt(at + 3)) >>>
      0;
    if (bytes.slice(at + 4, at + 4 + length) !== "none") return encrypted;
  }
  return null;
}

/** Which imports each option changes, and in words: set anywhere else it would do nothing. */
const OPTION_RULES: Record<
  keyof ImportOptions,
  { applies: (type: ImportType, format: ImportFormat) => boolean; says: string }
> = {
  hashUserIds: {
    applies: (type, format) => type !== "products" && format !== "egoi_contacts",
    says: "it applies to orders and customers read from files (E-goi contacts' e-mails are always stored as email_sha256)",
  },
  orderIdColumn: {
    applies: (_, format) => format === "shopify_csv",
    says: "it applies to shopify_csv imports",
  },
  userIdField: {
    applies: (type, format) => type === "customers" && format !== "egoi_contacts",
    says: "it applies to customers read from csv or jsonl files",
  },
  userIdType: {
    applies: (type, format) => type === "customers" && format !== "egoi_contacts",
    says: "it applies to customers read from csv or jsonl files",
  },
  mergeStrategy: {
    applies: (type, format) => type === "customers" && format !== "egoi_contacts",
    says: "it applies to customers read from csv or jsonl files (E-goi contacts always merge)",
  },
  encoding: {
    applies: (_, format) => format !== "egoi_contacts",
    says: "it applies to imports of files",
  },
  delimiter: {
    applies: (_, format) => format === "velocidi_csv" || format === "shopify_csv" || format === "csv",
    says: "it applies to the CSV formats velocidi_csv, shopify_csv and csv (google_tsv is always tab-separated)",
  },
  entry: {
    applies: (_, format) => format !== "egoi_contacts",
    says: "it applies to imports of files",
  },
};

/**
 * What a value transformation's shape allows but a run cannot do as written: a timestamp pattern
 * that is no pattern (the run would fail), and a map that maps one value to two different values
 * (the run would use the first without a word).
 */
function valueTransformProblems(step: ValueTransform): { path: (string | number)[]; message: string }[] {
  if (step.type === "timestamp") {
    try {
      compileTimestampPattern(step.pattern);
      return [];
    } catch (error) {
      if (!(error instanceof TimestampPatternError)) throw error;
      return [{ path: ["pattern"], message: `cannot be read: ${error.message}` }];
    }
  }
  if (step.type !== "map") return [];
  const targets = new Map<string, string>();
  const problems: { path: (string | number)[]; message: string }[] = [];
  step.mappings.forEach((mapping, k) => {
    const from = JSON.stringify(mapping.from ?? null);
    const to = JSON.stringify(mapping.to ?? null);
    const earlier = targets.get(from);
    if (earlier === undefined) targets.set(from, to);
    else if (earlier !== to) {
      problems.push({
        path: ["mappings", k, "from"],
        message: `maps ${from} to ${to}, but an earlier mapping maps it to ${earlier}: keep one`,
      });
    }
  });
  return problems;
}

export const ImportConfigInput = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    type: ImportType,
    format: ImportFormat,
    source: Source,
    options: ImportOptions.default({}),
    transformations: z.array(Transformation).max(MAX_TRANSFORMATIONS).default([]),
    schedule: Schedule.nullable().default(null),
  })
  .superRefine(checkImportConfig);
export type ImportConfigInput = z.infer<typeof ImportConfigInput>;
