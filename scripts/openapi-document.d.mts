/** The origin the document's `servers` names: the local stack's (npm start). */
export const LOCAL_ORIGIN: string;
/** The API's OpenAPI document as config-api serves it, built in Node from the Worker's code. */
export function openApiDocument(origin?: string): Promise<Record<string, unknown>>;
