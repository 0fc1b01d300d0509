export {
  type IdKind,
  type MappingTarget,
  mappingTarget,
  SHOPIFY_EXPORT_COLUMNS,
  type ValueKind,
} from "./fields";
export { createFileHeadReader, type FileHead, type FileHeadReader } from "./head";
export { columnKey } from "./names";
export {
  type ColumnMatch,
  canSuggestMapping,
  type MappingRequest,
  type MappingSuggestion,
  type MatchedBy,
  suggestMapping,
} from "./suggest";
export { type DateFormat, dateFormat } from "./values";
