import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { s3Error } from "./s3-errors.js";

const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: false });

const ARRAY_ELEMENTS = new Set(["Object", "Part", "Tag", "Upload"]);
const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

/** `<?xml ...?><Root xmlns="...">...</Root>` for an S3 response body. */
export function renderXml(root: string, body: Record<string, unknown>, options: { namespace?: boolean } = {}): string {
  const element = options.namespace === false ? body : { "@_xmlns": S3_NAMESPACE, ...body };
  return builder.build({ "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" }, [root]: element }) as string;
}

/** Parses a request body; the named root element must be present, otherwise MalformedXML. */
export function parseXmlBody(xml: string, root: string): Record<string, unknown> {
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml, true) as Record<string, unknown>;
  } catch (error) {
    throw s3Error("MalformedXML", undefined, error);
  }
  const element = document[root];
  if (element === undefined) throw s3Error("MalformedXML");
  if (typeof element !== "object" || element === null) return {};
  return element as Record<string, unknown>;
}

/** The text of a child element, or undefined. */
export function textOf(element: unknown, name: string): string | undefined {
  if (typeof element !== "object" || element === null) return undefined;
  const value = (element as Record<string, unknown>)[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && "#text" in (value as object)) return String((value as Record<string, unknown>)["#text"]);
  return "";
}

/** The child elements of a repeated name, always as an array. */
export function childrenOf(element: unknown, name: string): Record<string, unknown>[] {
  if (typeof element !== "object" || element === null) return [];
  const value = (element as Record<string, unknown>)[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => (typeof item === "object" && item !== null ? (item as Record<string, unknown>) : {}));
}
