import { GOOGLE_ATTRIBUTES, GOOGLE_REQUIRED } from "../formats/products";
import { SHOPIFY_REQUIRED_COLUMNS } from "../formats/shopify";
import { VELOCIDI_COLUMNS, VELOCIDI_REQUIRED_COLUMNS } from "../formats/velocidi";
import { columnKey } from "./names";

/**
 * The fields a file's columns can be mapped onto, per format, with the other names people give
 * them in English and Portuguese: the headers of shop, CRM and mailing-list exports (Shopify,
 * WooCommerce, Magento, HubSpot, Mailchimp, E-goi) and everyday words. Synonyms are listed best
 * first: when two columns could be one field, the better name wins. A name is compared whatever
 * its case, accents, spaces and punctuation (see columnKey).
 */

/** The id types a user id column's name can tell. */
export type IdKind = "email" | "phone" | "customer_id" | "egoi_contact_id";

/** What a column's sample values can be recognised as (`url`: links to pages; `image_url`: to images). */
export type ValueKind = "email" | "date" | "currency" | "price" | "url" | "image_url";

export interface Synonym {
  name: string;
  /** For the user id: the id type this name tells. */
  idKind?: IdKind;
}

export interface FieldSpec {
  field: string;
  required: boolean;
  synonyms: readonly Synonym[];
  /** Sample values that tell the field when no name does (the only column of its kind). */
  values?: ValueKind;
  /** A date and time the format reads in ISO 8601: other dates need a timestamp transformation. */
  dateTime?: boolean;
}

export interface MappingTarget {
  fields: readonly FieldSpec[];
  /** The field holding the user id, whose column's kind gives the id type. */
  userIdField?: string;
  /**
   * The field holding the id type (velocidi_csv's userIdType): when no column maps onto it, the
   * suggestion adds it with the type the user id column's name or values tell.
   */
  userIdTypeField?: string;
}

const names = (list: readonly string[], idKind?: IdKind): Synonym[] =>
  list.map((name) => (idKind ? { name, idKind } : { name }));

// Concepts, each a list of names best first.

const ORDER_NUMBER = [
  "order number",
  "order no",
  "order nr",
  "order #",
  "order",
  "order name",
  "order reference",
  "order ref",
  "increment id",
  "n.º encomenda",
  "n.º da encomenda",
  "nº de encomenda",
  "número da encomenda",
  "número de encomenda",
  "encomenda",
  "referência da encomenda",
  "nº pedido",
  "número do pedido",
  "pedido",
];
const ORDER_ID = [
  "order id",
  "order_id",
  "transaction id",
  "id encomenda",
  "id da encomenda",
  "id do pedido",
  "código da encomenda",
];

const EMAIL = [
  "email",
  "e-mail",
  "email address",
  "e-mail address",
  "customer email",
  "customer e-mail",
  "buyer email",
  "billing email",
  "contact email",
  "user email",
  "mail",
  "correio eletrónico",
  "correio electrónico",
  "correio eletrônico",
  "endereço de email",
  "endereço de e-mail",
  "email do cliente",
  "e-mail do cliente",
  "email de faturação",
];
const PHONE = [
  "phone",
  "phone number",
  "mobile",
  "mobile phone",
  "mobile number",
  "mobile phone number",
  "cellphone",
  "cell phone",
  "telephone",
  "customer phone",
  "billing phone",
  "shipping phone",
  "telemóvel",
  "número de telemóvel",
  "telefone",
  "número de telefone",
  "contacto telefónico",
  "celular",
];
const CUSTOMER_ID = [
  "customer id",
  "customer number",
  "customer no",
  "client id",
  "customer reference",
  "member id",
  "id cliente",
  "id do cliente",
  "n.º cliente",
  "nº de cliente",
  "número de cliente",
  "código de cliente",
  "código do cliente",
];
const EGOI_CONTACT_ID = ["contact id", "id contacto", "id do contacto"];

const USER_ID: Synonym[] = [
  ...names(EMAIL, "email"),
  ...names(PHONE, "phone"),
  ...names(CUSTOMER_ID, "customer_id"),
  ...names(EGOI_CONTACT_ID, "egoi_contact_id"),
];

const CURRENCY = [
  "currency",
  "currency code",
  "order currency",
  "presentment currency",
  "moeda",
  "código da moeda",
  "divisa",
];
const TOTAL = [
  "total",
  "order total",
  "grand total",
  "grand total purchased",
  "total amount",
  "order amount",
  "total price",
  "total value",
  "amount",
  "valor total",
  "total da encomenda",
  "total do pedido",
  "valor da encomenda",
  "montante",
  "valor",
];
const SUBTOTAL = ["subtotal", "sub total", "order subtotal", "subtotal da encomenda", "subtotal do pedido"];
const TAX = [
  "tax",
  "taxes",
  "tax amount",
  "tax total",
  "total tax",
  "vat",
  "sales tax",
  "iva",
  "valor do iva",
  "imposto",
  "impostos",
  "total de impostos",
];
const SHIPPING = [
  "shipping",
  "shipping cost",
  "shipping amount",
  "shipping total",
  "shipping price",
  "shipping and handling",
  "delivery",
  "delivery cost",
  "freight",
  "portes",
  "portes de envio",
  "custos de envio",
  "custo de envio",
  "envio",
  "frete",
  "valor do frete",
];
const DISCOUNT = [
  "discount",
  "discount amount",
  "discounts",
  "discount total",
  "total discount",
  "cart discount",
  "desconto",
  "descontos",
  "valor do desconto",
];
const REFUND = [
  "refund",
  "refunded amount",
  "refunded",
  "refunds",
  "refund amount",
  "total refunded",
  "amount refunded",
  "reembolso",
  "valor reembolsado",
  "reembolsado",
  "valor devolvido",
];
const PAYMENT_METHOD = [
  "payment method",
  "payment method title",
  "payment type",
  "payment gateway",
  "payment",
  "método de pagamento",
  "forma de pagamento",
  "meio de pagamento",
  "tipo de pagamento",
  "pagamento",
];
const SHIPPING_METHOD = [
  "shipping method",
  "delivery method",
  "shipping service",
  "shipping carrier",
  "carrier",
  "shipping information",
  "método de envio",
  "forma de envio",
  "modo de envio",
  "método de entrega",
  "transportadora",
];
const SHIPPING_COUNTRY = [
  "shipping country",
  "shipping country code",
  "ship to country",
  "delivery country",
  "destination country",
  "country",
  "país de envio",
  "país de entrega",
  "país de destino",
  "país",
];
const PROMOTIONS = [
  "promotions",
  "promotion",
  "discount code",
  "discount codes",
  "coupon",
  "coupons",
  "coupon code",
  "coupon codes",
  "promo code",
  "promo codes",
  "voucher",
  "vouchers",
  "voucher code",
  "promoções",
  "promoção",
  "código promocional",
  "código de desconto",
  "cupão",
  "cupões",
  "cupom",
];
const CREATED_AT = [
  "created at",
  "order date",
  "created",
  "created date",
  "creation date",
  "date created",
  "order created",
  "order created at",
  "purchase date",
  "purchased on",
  "placed at",
  "order placed",
  "date placed",
  "order time",
  "transaction date",
  "date",
  "data da encomenda",
  "data de encomenda",
  "data do pedido",
  "data de compra",
  "data de criação",
  "criado em",
  "data",
];
const LAST_UPDATED = [
  "last updated",
  "updated at",
  "updated",
  "last modified",
  "modified",
  "date modified",
  "modified date",
  "update date",
  "última atualização",
  "última actualização",
  "atualizado em",
  "data de atualização",
  "data de modificação",
  "modificado em",
];
const PAID_AT = ["paid at", "payment date", "date paid", "data de pagamento", "pago em"];
const FULFILLED_AT = [
  "fulfilled at",
  "fulfillment date",
  "shipped at",
  "shipped date",
  "date shipped",
  "data de envio",
  "enviado em",
];
const CANCELLED_AT = [
  "cancelled at",
  "canceled at",
  "cancellation date",
  "date cancelled",
  "data de cancelamento",
  "cancelado em",
];
const FINANCIAL_STATUS = ["financial status", "payment status", "estado do pagamento", "estado de pagamento"];

const LINE_ID = [
  "line item id",
  "line id",
  "order item id",
  "item id",
  "line number",
  "line no",
  "id da linha",
  "número da linha",
  "linha",
];
const PRODUCT_ID = [
  "product id",
  "product_id",
  "product code",
  "id produto",
  "id do produto",
  "código do produto",
  "código de produto",
];
const ITEM_GROUP_ID = [
  "item group id",
  "group id",
  "parent id",
  "parent product id",
  "parent sku",
  "product group",
  "id do grupo",
  "produto pai",
  "id do produto pai",
];
const PRODUCT_NAME = [
  "lineitem name",
  "line item name",
  "product name",
  "item name",
  "product title",
  "item title",
  "product",
  "name",
  "title",
  "nome do produto",
  "nome do artigo",
  "produto",
  "artigo",
  "designação",
  "nome",
];
const SKU = [
  "sku",
  "lineitem sku",
  "line item sku",
  "item sku",
  "product sku",
  "variant sku",
  "reference",
  "ref",
  "referência",
  "referência do artigo",
  "referência do produto",
  "código do artigo",
  "código",
];
const BRAND = ["brand", "vendor", "manufacturer", "product brand", "brands", "marca", "fabricante"];
const CATEGORY = [
  "category",
  "product category",
  "item category",
  "categories",
  "categoria",
  "categoria do produto",
  "categorias",
];
const CATEGORY_LIST = ["category list", "category path", "categories list", "lista de categorias"];
const LINE_CURRENCY = [
  "item currency",
  "line currency",
  "line item currency",
  "moeda do artigo",
  "moeda da linha",
];
const LINE_TOTAL = [
  "line total",
  "item total",
  "line item total",
  "lineitem total",
  "row total",
  "line amount",
  "item amount",
  "total da linha",
  "total do artigo",
  "valor da linha",
  "total do produto",
];
const LINE_SUBTOTAL = [
  "line subtotal",
  "item subtotal",
  "line item subtotal",
  "row subtotal",
  "subtotal da linha",
  "subtotal do artigo",
];
const LINE_TAX = [
  "line tax",
  "item tax",
  "line item tax",
  "row tax",
  "line vat",
  "item vat",
  "iva da linha",
  "iva do artigo",
  "imposto do artigo",
];
const LINE_SHIPPING = [
  "line shipping",
  "item shipping",
  "line item shipping",
  "portes da linha",
  "portes do artigo",
  "envio do artigo",
];
const LINE_DISCOUNT = [
  "lineitem discount",
  "line discount",
  "item discount",
  "line item discount",
  "desconto da linha",
  "desconto do artigo",
];
const LINE_REFUND = [
  "line refund",
  "item refund",
  "line item refund",
  "item refunded",
  "reembolso da linha",
  "reembolso do artigo",
];
const QUANTITY = [
  "quantity",
  "lineitem quantity",
  "line item quantity",
  "qty",
  "item quantity",
  "line quantity",
  "quantity ordered",
  "qty ordered",
  "units",
  "quantidade",
  "qtd",
  "qt",
  "quant",
  "unidades",
];
const LINE_PROMOTIONS = [
  "line promotions",
  "item promotions",
  "line item promotions",
  "item coupon",
  "line coupon",
  "promoções do artigo",
];
const ADULT = ["adult", "adult content", "adulto", "conteúdo adulto"];
const SUBSCRIPTION_DURATION = [
  "subscription duration",
  "subscription length",
  "subscription period",
  "duração da subscrição",
  "duração da assinatura",
];
const SIZE = ["size", "item size", "product size", "tamanho", "medida"];
const SIZE_SYSTEM = ["size system", "sizing system", "sistema de tamanhos"];
const LINE_STATUS = [
  "lineitem fulfillment status",
  "line item status",
  "line status",
  "item status",
  "status",
  "order status",
  "fulfillment status",
  "estado",
  "estado da encomenda",
  "estado do pedido",
  "estado do artigo",
  "situação",
];
const UNIT_PRICE = ["lineitem price", "price", "item price", "unit price", "preço", "preço unitário"];

const field = (
  name: string,
  required: boolean,
  synonyms: readonly (string | Synonym)[],
  extra: Partial<FieldSpec> = {},
): FieldSpec => ({
  field: name,
  required,
  synonyms: synonyms.map((s) => (typeof s === "string" ? { name: s } : s)),
  ...extra,
});

const VELOCIDI_SYNONYMS: Record<(typeof VELOCIDI_COLUMNS)[number], readonly (string | Synonym)[]> = {
  orderId: [...ORDER_ID, ...ORDER_NUMBER],
  userIdType: ["user id type", "id type", "tipo de id", "tipo de identificador"],
  userId: [...USER_ID, "user id"],
  currency: CURRENCY,
  total: TOTAL,
  subtotal: SUBTOTAL,
  tax: TAX,
  shipping: SHIPPING,
  discount: DISCOUNT,
  refund: REFUND,
  createdAt: CREATED_AT,
  lineItem_productId: PRODUCT_ID,
  lineItem_sku: SKU,
  lineItem_currency: LINE_CURRENCY,
  lineItem_total: LINE_TOTAL,
  lineItem_subtotal: LINE_SUBTOTAL,
  lineItem_tax: LINE_TAX,
  lineItem_shipping: LINE_SHIPPING,
  lineItem_discount: LINE_DISCOUNT,
  lineItem_refund: LINE_REFUND,
  lineItem_quantity: QUANTITY,
  lineItem_status: LINE_STATUS,
  paymentMethod: PAYMENT_METHOD,
  shippingMethod: SHIPPING_METHOD,
  shippingCountry: SHIPPING_COUNTRY,
  promotions: PROMOTIONS,
  lastUpdated: LAST_UPDATED,
  lineItem_id: LINE_ID,
  lineItem_itemGroupId: ITEM_GROUP_ID,
  lineItem_name: PRODUCT_NAME,
  lineItem_brand: BRAND,
  lineItem_category: CATEGORY,
  lineItem_categoryList: CATEGORY_LIST,
  lineItem_promotions: LINE_PROMOTIONS,
  lineItem_adult: ADULT,
  lineItem_subscriptionDuration: SUBSCRIPTION_DURATION,
  lineItem_size: SIZE,
  lineItem_sizeSystem: SIZE_SYSTEM,
};

const VELOCIDI_VALUES: Partial<Record<string, Partial<FieldSpec>>> = {
  userId: { values: "email" },
  createdAt: { values: "date", dateTime: true },
  lastUpdated: { dateTime: true },
  currency: { values: "currency" },
  total: { values: "price" },
};

const velocidiRequired: readonly string[] = VELOCIDI_REQUIRED_COLUMNS;

const VELOCIDI: MappingTarget = {
  fields: VELOCIDI_COLUMNS.map((name) =>
    field(name, velocidiRequired.includes(name), VELOCIDI_SYNONYMS[name], VELOCIDI_VALUES[name]),
  ),
  userIdField: "userId",
  userIdTypeField: "userIdType",
};

/** The header of a current Shopify "Export orders" file. */
export const SHOPIFY_EXPORT_COLUMNS = [
  "Name",
  "Email",
  "Financial Status",
  "Paid at",
  "Fulfillment Status",
  "Fulfilled at",
  "Accepts Marketing",
  "Currency",
  "Subtotal",
  "Shipping",
  "Taxes",
  "Total",
  "Discount Code",
  "Discount Amount",
  "Shipping Method",
  "Created at",
  "Lineitem quantity",
  "Lineitem name",
  "Lineitem price",
  "Lineitem compare at price",
  "Lineitem sku",
  "Lineitem requires shipping",
  "Lineitem taxable",
  "Lineitem fulfillment status",
  "Billing Name",
  "Billing Street",
  "Billing Address1",
  "Billing Address2",
  "Billing Company",
  "Billing City",
  "Billing Zip",
  "Billing Province",
  "Billing Country",
  "Billing Phone",
  "Shipping Name",
  "Shipping Street",
  "Shipping Address1",
  "Shipping Address2",
  "Shipping Company",
  "Shipping City",
  "Shipping Zip",
  "Shipping Province",
  "Shipping Country",
  "Shipping Phone",
  "Notes",
  "Note Attributes",
  "Cancelled at",
  "Payment Method",
  "Payment Reference",
  "Refunded Amount",
  "Vendor",
  "Outstanding Balance",
  "Employee",
  "Location",
  "Device ID",
  "Id",
  "Tags",
  "Risk Level",
  "Source",
  "Lineitem discount",
  "Tax 1 Name",
  "Tax 1 Value",
  "Tax 2 Name",
  "Tax 2 Value",
  "Tax 3 Name",
  "Tax 3 Value",
  "Tax 4 Name",
  "Tax 4 Value",
  "Tax 5 Name",
  "Tax 5 Value",
  "Phone",
  "Receipt Number",
  "Duties",
  "Billing Province Name",
  "Shipping Province Name",
  "Payment ID",
  "Payment Terms Name",
  "Next Payment Due At",
  "Payment References",
] as const;

/** Shopify's columns that its reader reads, with the names other exports give them. */
const SHOPIFY_SYNONYMS: Record<string, readonly string[]> = {
  Name: ORDER_NUMBER,
  Id: ["id", ...ORDER_ID],
  Email: EMAIL,
  Phone: PHONE,
  "Billing Phone": ["billing phone", "billing telephone", "telefone de faturação"],
  "Financial Status": FINANCIAL_STATUS,
  Currency: CURRENCY,
  Subtotal: SUBTOTAL,
  Shipping: SHIPPING,
  Taxes: TAX,
  Total: TOTAL,
  "Discount Code": PROMOTIONS,
  "Discount Amount": DISCOUNT,
  "Refunded Amount": REFUND,
  "Payment Method": PAYMENT_METHOD,
  "Shipping Method": SHIPPING_METHOD,
  "Shipping Country": SHIPPING_COUNTRY,
  "Created at": CREATED_AT,
  "Paid at": PAID_AT,
  "Fulfilled at": FULFILLED_AT,
  "Cancelled at": CANCELLED_AT,
  "Lineitem quantity": QUANTITY,
  "Lineitem name": PRODUCT_NAME.filter((name) => name !== "name"),
  "Lineitem price": UNIT_PRICE,
  "Lineitem sku": SKU,
  "Lineitem fulfillment status": LINE_STATUS,
  "Lineitem discount": LINE_DISCOUNT,
  Vendor: BRAND,
};

const SHOPIFY_VALUES: Partial<Record<string, Partial<FieldSpec>>> = {
  Email: { values: "email" },
  "Created at": { values: "date", dateTime: true },
  "Paid at": { dateTime: true },
  "Fulfilled at": { dateTime: true },
  "Cancelled at": { dateTime: true },
  Currency: { values: "currency" },
  Total: { values: "price" },
};

const shopifyRequired: readonly string[] = SHOPIFY_REQUIRED_COLUMNS;

/** A column of Shopify's own export is never another Shopify column (Shipping Phone is not Phone). */
const shopifyOwn = new Set(SHOPIFY_EXPORT_COLUMNS.map(columnKey));

const SHOPIFY: MappingTarget = {
  fields: Object.entries(SHOPIFY_SYNONYMS).map(([name, synonyms]) =>
    field(
      name,
      shopifyRequired.includes(name),
      synonyms.filter(
        (synonym) => columnKey(synonym) === columnKey(name) || !shopifyOwn.has(columnKey(synonym)),
      ),
      SHOPIFY_VALUES[name],
    ),
  ),
};

/** Customers: every column is an attribute but the user id, which the options name. */
const CUSTOMERS: MappingTarget = {
  fields: [field("userId", true, [...USER_ID, "user id"], { values: "email" })],
  userIdField: "userId",
};

/** Google's product attributes, with the names of shop exports (Shopify, WooCommerce, Magento). */
const GOOGLE_SYNONYMS: Record<string, readonly string[]> = {
  id: [
    "id",
    "product id",
    "offer id",
    "sku",
    "variant sku",
    "item id",
    "id do produto",
    "código do produto",
    "referência",
    "ref",
    "código",
  ],
  title: [
    "title",
    "name",
    "product name",
    "product title",
    "item name",
    "título",
    "nome",
    "nome do produto",
    "designação",
  ],
  description: [
    "description",
    "body html",
    "body",
    "product description",
    "long description",
    "descrição",
    "descrição do produto",
  ],
  link: [
    "link",
    "url",
    "product url",
    "product link",
    "product page",
    "page url",
    "landing page",
    "ligação",
    "url do produto",
  ],
  image_link: [
    "image link",
    "image",
    "image url",
    "image src",
    "images",
    "main image",
    "base image",
    "picture",
    "photo",
    "imagem",
    "url da imagem",
    "foto",
  ],
  additional_image_link: [
    "additional image link",
    "additional images",
    "additional image",
    "additional image links",
    "imagens adicionais",
  ],
  availability: ["availability", "stock status", "disponibilidade", "estado do stock"],
  price: [
    "price",
    "regular price",
    "variant price",
    "list price",
    "unit price",
    "preço",
    "preço base",
    "pvp",
  ],
  sale_price: [
    "sale price",
    "special price",
    "promotional price",
    "discounted price",
    "preço promocional",
    "preço de saldo",
    "preço com desconto",
  ],
  brand: ["brand", "brands", "vendor", "manufacturer", "marca", "fabricante"],
  gtin: ["gtin", "ean", "ean13", "upc", "isbn", "barcode", "variant barcode", "código de barras"],
  mpn: ["mpn", "google shopping mpn", "manufacturer part number", "part number", "referência do fabricante"],
  condition: ["condition", "google shopping condition", "condição"],
  item_group_id: [
    "item group id",
    "handle",
    "parent",
    "parent id",
    "parent sku",
    "product group",
    "id do grupo",
    "produto pai",
  ],
  google_product_category: [
    "google product category",
    "google shopping google product category",
    "google category",
    "categoria google",
  ],
  product_type: [
    "product type",
    "type",
    "categories",
    "category",
    "product category",
    "tipo de produto",
    "categoria",
    "categorias",
  ],
  color: ["color", "colour", "cor"],
  size: ["size", "tamanho"],
  size_system: ["size system", "sistema de tamanhos"],
  gender: ["gender", "google shopping gender", "sex", "género", "sexo"],
  age_group: ["age group", "google shopping age group", "faixa etária", "grupo etário"],
  adult: ["adult", "adulto"],
};

const GOOGLE_VALUES: Partial<Record<string, Partial<FieldSpec>>> = {
  price: { values: "price" },
  image_link: { values: "image_url" },
  link: { values: "url" },
};

const googleRequired: readonly string[] = GOOGLE_REQUIRED;

const GOOGLE: MappingTarget = {
  fields: Object.entries(GOOGLE_SYNONYMS).map(([name, synonyms]) =>
    field(name, googleRequired.includes(name), synonyms, GOOGLE_VALUES[name]),
  ),
};

/** JSON-lines products keep their own field names: only `id` is read. */
const PRODUCTS_JSONL: MappingTarget = {
  fields: [field("id", true, GOOGLE_SYNONYMS.id ?? [])],
};

/** The Google attributes the mapping knows beyond those read into Product fields (kept under `extra`). */
export const GOOGLE_EXTRA_ATTRIBUTES = ["additional_image_link", "size_system"] as const;

/** What the columns of a file of this type and format can be mapped onto; null for E-goi lists. */
export function mappingTarget(type: string, format: string): MappingTarget | null {
  switch (format) {
    case "velocidi_csv":
      return VELOCIDI;
    case "shopify_csv":
      return SHOPIFY;
    case "csv":
      return CUSTOMERS;
    case "jsonl":
      return type === "products" ? PRODUCTS_JSONL : CUSTOMERS;
    case "google_rss":
    case "google_atom":
    case "google_tsv":
      return GOOGLE;
    default:
      return null;
  }
}

/** Every Google attribute the suggestions know, for the check that they are the reader's. */
export const KNOWN_GOOGLE_ATTRIBUTES: readonly string[] = [...GOOGLE_ATTRIBUTES, ...GOOGLE_EXTRA_ATTRIBUTES];
