import { malformedXmlError, xmlSyntaxError } from "../s3/notification-errors.js";
import type { NotificationConfiguration, RulesValidationContext } from "../types.js";
import { decodeNotification } from "./decode-notification.js";
import { validateNotification } from "./validate-notification.js";
import type { XmlElement, XmlNode } from "./xml-tree.js";

/**
 * Rules as JSON, shaped like the AWS SDK's NotificationConfiguration:
 *
 *   { "QueueConfigurations": [ {
 *       "Id": "jpeg-uploads",                               // optional
 *       "QueueArn": "arn:minio:sqs::primary:webhook",       // or "Queue" / "Arn"
 *       "Events": ["s3:ObjectCreated:*"],                   // or "Event"
 *       "Filter": { "Key": { "FilterRules": [ { "Name": "prefix", "Value": "2024/" } ] } }
 *   } ] }
 *
 * The XML-mirroring spellings `QueueConfiguration`, `Filter.S3Key.FilterRule`
 * are accepted too. A non-empty `TopicConfigurations`,
 * `LambdaFunctionConfigurations` (or `TopicConfiguration`,
 * `CloudFunctionConfiguration`) is UnsupportedNotification. Every check,
 * error and order is the XML one (rule names are `prefix`/`suffix`, lower
 * case); values of the wrong JSON type are MalformedXML.
 */
export function parseNotificationJson(json: string | object, context?: RulesValidationContext): NotificationConfiguration {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw xmlSyntaxError(`JSON syntax error: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  }
  const configuration = decodeNotification(jsonToTree(value));
  return context === undefined ? configuration : validateNotification(configuration, context);
}

type JsonObject = Record<string, unknown>;

function jsonToTree(value: unknown): XmlElement {
  const root = asObject(value, "the document");
  const children: XmlNode[] = [];
  for (const queue of listOf(root, ["QueueConfigurations", "QueueConfiguration"])) children.push(queueElement(asObject(queue, "a queue configuration")));
  for (const key of ["TopicConfigurations", "TopicConfiguration"]) {
    for (const _entry of listOf(root, [key])) children.push({ name: "TopicConfiguration", children: [] });
  }
  for (const key of ["LambdaFunctionConfigurations", "CloudFunctionConfiguration"]) {
    for (const _entry of listOf(root, [key])) children.push({ name: "CloudFunctionConfiguration", children: [] });
  }
  return { name: "NotificationConfiguration", children };
}

function queueElement(queue: JsonObject): XmlElement {
  const children: XmlNode[] = [];
  const id = stringOf(queue, ["Id"]);
  if (id !== undefined) children.push(textElement("Id", id));
  for (const event of listOf(queue, ["Events", "Event"])) children.push(textElement("Event", asString(event, "an event name")));
  const filter = queue.Filter;
  if (filter !== undefined && filter !== null) children.push(filterElement(asObject(filter, "Filter")));
  const arn = stringOf(queue, ["QueueArn", "Queue", "Arn"]);
  if (arn !== undefined) children.push(textElement("Queue", arn));
  return { name: "QueueConfiguration", children };
}

function filterElement(filter: JsonObject): XmlElement {
  const key = filter.Key ?? filter.S3Key;
  if (key === undefined || key === null) return { name: "Filter", children: [] };
  const rules = listOf(asObject(key, "Filter.Key"), ["FilterRules", "FilterRule"]).map((rule): XmlElement => {
    const entry = asObject(rule, "a filter rule");
    const children: XmlNode[] = [];
    const name = stringOf(entry, ["Name"]);
    const value = stringOf(entry, ["Value"]);
    if (name !== undefined) children.push(textElement("Name", name));
    if (value !== undefined) children.push(textElement("Value", value));
    return { name: "FilterRule", children };
  });
  return { name: "Filter", children: [{ name: "S3Key", children: rules }] };
}

function textElement(name: string, text: string): XmlElement {
  return { name, children: [{ text }] };
}

function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformedXmlError(`${what} must be a JSON object`);
  return value as JsonObject;
}

function asString(value: unknown, what: string): string {
  if (typeof value !== "string") throw malformedXmlError(`${what} must be a string`);
  return value;
}

function stringOf(object: JsonObject, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = object[key];
    if (value !== undefined && value !== null) return asString(value, key);
  }
  return undefined;
}

/** A list under the first present key; a single value counts as a list of one. */
function listOf(object: JsonObject, keys: readonly string[]): unknown[] {
  for (const key of keys) {
    const value = object[key];
    if (value === undefined || value === null) continue;
    return Array.isArray(value) ? value : [value];
  }
  return [];
}
