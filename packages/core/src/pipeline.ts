import type { ReadConfig } from "./config";
import type { ItemReader, ReaderPosition, Splitter } from "./engine";
import { createCustomerCsvReader, createCustomerJsonlReader } from "./formats/customers";
import { createProductReader } from "./formats/products";
import { createShopifyReader } from "./formats/shopify";
import { createVelocidiReader } from "./formats/velocidi";
import type { CustomerRecord, Order, Product } from "./items";
import { createCsvSplitter } from "./split-csv";
import { createJsonlSplitter, createXmlSplitter } from "./split-lines";

export type AnyItem = Order | CustomerRecord | Product;

/** The reader of a config's type and format. */
export function createReader(config: ReadConfig, position?: ReaderPosition): ItemReader<AnyItem> {
  switch (config.format) {
    case "velocidi_csv":
      return createVelocidiReader(config, position);
    case "shopify_csv":
      return createShopifyReader(config, position);
    case "csv":
      return createCustomerCsvReader(config, position);
    case "jsonl":
      return config.type === "customers"
        ? createCustomerJsonlReader(config, position)
        : createProductReader(config, position);
    case "google_rss":
    case "google_atom":
    case "google_tsv":
      return createProductReader(config, position);
    case "egoi_contacts":
      throw new Error("E-goi contacts are read from the E-goi API, not from a file");
  }
}

/** One chunk: the whole file (UTF-16 text, which the byte scanners do not read). */
function wholeFile(): Splitter {
  let size = 0;
  return {
    write: (bytes) => {
      size += bytes.length;
    },
    end: () => ({ prologueEnd: 0, chunks: size > 0 ? [{ start: 0, end: size, firstRow: 1 }] : [] }),
  };
}

/** The splitter that cuts a file of this format into chunks of about `targetChunkBytes`. */
export function createSplitter(config: ReadConfig, targetChunkBytes: number): Splitter {
  const encoding = config.options.encoding ?? "utf-8";
  if (encoding === "utf-16le" || encoding === "utf-16be") return wholeFile();
  const delimiter = config.options.delimiter;
  switch (config.format) {
    case "velocidi_csv":
      return createCsvSplitter({ targetChunkBytes, encoding, delimiter, groupColumn: "orderId" });
    case "shopify_csv":
      return createCsvSplitter({ targetChunkBytes, encoding, delimiter, groupColumn: "Name" });
    case "csv":
      return createCsvSplitter({ targetChunkBytes, encoding, delimiter });
    case "google_tsv":
      return createCsvSplitter({ targetChunkBytes, encoding, delimiter: "\t" });
    case "jsonl":
      return createJsonlSplitter({ targetChunkBytes });
    case "google_rss":
      return createXmlSplitter({ targetChunkBytes, itemElement: "item" });
    case "google_atom":
      return createXmlSplitter({ targetChunkBytes, itemElement: "entry" });
    case "egoi_contacts":
      throw new Error("E-goi contacts are read from the E-goi API, not from a file");
  }
}
