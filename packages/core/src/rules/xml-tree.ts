import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { S3Error } from "../errors/s3-error.js";
import { xmlSyntaxError } from "../s3/notification-errors.js";

/** An element by local name (namespace prefix dropped), with its children in document order. */
export interface XmlElement {
  readonly name: string;
  readonly children: readonly XmlNode[];
}

/** Character data (entities decoded), or the syntax error Go's tokenizer would raise at this point. */
export type XmlNode = XmlElement | { readonly text: string } | { readonly error: S3Error };

export function isElement(node: XmlNode): node is XmlElement {
  return "name" in node;
}

/** Throws the first syntax error found anywhere under `element`, in document order (Go tokenizes skipped elements too). */
export function checkSubtree(element: XmlElement): void {
  for (const child of element.children) {
    if ("error" in child) throw child.error;
    if (isElement(child)) checkSubtree(child);
  }
}

/** Go's decoding of an element into a string: its direct character data, child elements skipped. */
export function textOf(element: XmlElement): string {
  let text = "";
  for (const child of element.children) {
    if ("error" in child) throw child.error;
    if ("text" in child) text += child.text;
    else checkSubtree(child);
  }
  return text;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  // Entities are decoded here, the way Go's strict decoder does: the five XML ones and character references only.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: "#cdata",
});

type ParsedNode = Record<string, unknown>;

/**
 * The document's root element, or throws MalformedXML with ` (<detail>)` for a
 * syntax error. Line ends are normalised to `\n` first, as Go's decoder does.
 */
export function parseXmlRoot(xml: string): XmlElement | undefined {
  const normalised = xml.replace(/\r\n?/g, "\n");
  const validation = XMLValidator.validate(normalised);
  if (validation !== true) throw xmlSyntaxError(`XML syntax error on line ${validation.err.line}: ${validation.err.msg}`);
  let parsed: unknown;
  try {
    parsed = parser.parse(normalised);
  } catch (error) {
    throw xmlSyntaxError(error instanceof Error ? error.message : String(error), error);
  }
  if (!Array.isArray(parsed)) return undefined;
  for (const node of parsed as ParsedNode[]) {
    let converted: XmlNode | undefined;
    try {
      converted = convert(node);
    } catch (error) {
      // Only a hostile nesting depth gets here (the walk is recursive).
      throw xmlSyntaxError(error instanceof RangeError ? "document nested too deeply" : String(error), error);
    }
    if (converted !== undefined && isElement(converted)) return converted;
  }
  return undefined;
}

function convert(node: ParsedNode): XmlNode | undefined {
  for (const [key, value] of Object.entries(node)) {
    if (key === ":@") continue;
    if (key === "#text") return decodeEntities(String(value));
    if (key === "#cdata") return { text: cdataText(value) };
    const children: XmlNode[] = [];
    if (Array.isArray(value)) {
      for (const child of value as ParsedNode[]) {
        const converted = convert(child);
        if (converted !== undefined) children.push(converted);
      }
    }
    return { name: key, children };
  }
  return undefined;
}

function cdataText(value: unknown): string {
  if (!Array.isArray(value)) return "";
  return (value as ParsedNode[]).map((part) => String(part["#text"] ?? "")).join("");
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", apos: "'", quot: '"' };

function decodeEntities(raw: string): XmlNode {
  let decoded = "";
  let position = 0;
  while (position < raw.length) {
    const ampersand = raw.indexOf("&", position);
    if (ampersand < 0) {
      decoded += raw.slice(position);
      break;
    }
    decoded += raw.slice(position, ampersand);
    const semicolon = raw.indexOf(";", ampersand);
    const entity = semicolon < 0 ? "" : raw.slice(ampersand + 1, semicolon);
    const character = resolveEntity(entity);
    if (semicolon < 0 || character === undefined) {
      const shown = semicolon < 0 ? raw.slice(ampersand, ampersand + 16) : `&${entity};`;
      return { error: xmlSyntaxError(`XML syntax error: invalid character entity ${shown}`) };
    }
    decoded += character;
    position = semicolon + 1;
  }
  return { text: decoded };
}

function resolveEntity(entity: string): string | undefined {
  if (Object.hasOwn(NAMED_ENTITIES, entity)) return NAMED_ENTITIES[entity];
  const match = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(entity);
  if (match === null) return undefined;
  const codePoint = match[1] !== undefined ? Number.parseInt(match[1], 16) : Number.parseInt(match[2] ?? "", 10);
  return isXmlCharacter(codePoint) ? String.fromCodePoint(codePoint) : undefined;
}

function isXmlCharacter(codePoint: number): boolean {
  return (
    codePoint === 0x09 ||
    codePoint === 0x0a ||
    codePoint === 0x0d ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

const GO_TEXT_ESCAPES: Readonly<Record<string, string>> = {
  '"': "&#34;",
  "'": "&#39;",
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "\t": "&#x9;",
  "\n": "&#xA;",
  "\r": "&#xD;",
};

/** Go's xml.EscapeText: the five specials, tab and line ends as references, invalid characters as U+FFFD. */
export function escapeXmlText(text: string): string {
  let escaped = "";
  for (const character of text) {
    const replacement = GO_TEXT_ESCAPES[character];
    if (replacement !== undefined) escaped += replacement;
    else escaped += isXmlCharacter(character.codePointAt(0) ?? 0) ? character : "\ufffd";
  }
  return escaped;
}
