import { parseEventName } from "../event/event-names.js";
import {
  duplicateEventNameError,
  duplicatePrefixError,
  duplicateQueueConfigurationError,
  duplicateSuffixError,
  invalidFilterNameError,
  malformedXmlError,
  unsupportedNotificationError,
} from "../s3/notification-errors.js";
import type { Arn, FilterRule, NotificationConfiguration, QueueConfiguration, RuleEventName } from "../types.js";
import { parseArn } from "./arn.js";
import { queueConfigurationToXml } from "./notification-to-xml.js";
import { checkSubtree, isElement, textOf, type XmlElement } from "./xml-tree.js";

const EMPTY_ARN: Arn = Object.freeze({ region: "", id: "", type: "" });

/**
 * Decodes a NotificationConfiguration element tree the way MinIO's Go
 * UnmarshalXML chain does (facts §3.3 step 1): each check runs when its
 * element ends, so the first error in document order wins; then duplicate
 * QueueConfigurations, then Topic/CloudFunction entries.
 */
export function decodeNotification(root: XmlElement | undefined): NotificationConfiguration {
  if (root === undefined) throw malformedXmlError("EOF");
  if (root.name !== "NotificationConfiguration") {
    throw malformedXmlError(`expected element type <NotificationConfiguration> but have <${root.name}>`);
  }
  const queues: QueueConfiguration[] = [];
  let unsupported = false;
  for (const child of root.children) {
    if ("error" in child) throw child.error;
    if (!isElement(child)) continue;
    if (child.name === "QueueConfiguration") queues.push(decodeQueue(child));
    else {
      if (child.name === "TopicConfiguration" || child.name === "CloudFunctionConfiguration") unsupported = true;
      checkSubtree(child);
    }
  }
  for (let first = 0; first < queues.length - 1; first++) {
    for (let second = first + 1; second < queues.length; second++) {
      const left = queues[first] as QueueConfiguration;
      if (sameQueue(left, queues[second] as QueueConfiguration)) throw duplicateQueueConfigurationError(queueConfigurationToXml(left));
    }
  }
  if (unsupported) throw unsupportedNotificationError();
  return { queues };
}

function decodeQueue(element: XmlElement): QueueConfiguration {
  let id = "";
  let arn = EMPTY_ARN;
  const events: RuleEventName[] = [];
  let filterRules: FilterRule[] = [];
  for (const child of element.children) {
    if ("error" in child) throw child.error;
    if (!isElement(child)) continue;
    switch (child.name) {
      case "Id":
        id = textOf(child);
        break;
      case "Event":
        events.push(parseEventName(textOf(child)));
        break;
      case "Queue":
        arn = parseArn(textOf(child));
        break;
      case "Filter":
        filterRules = decodeFilter(child, filterRules);
        break;
      default:
        checkSubtree(child);
    }
  }
  if (events.length === 0) throw malformedXmlError("missing event name(s)");
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event)) throw duplicateEventNameError(event);
    seen.add(event);
  }
  return { id, arn, events, filterRules };
}

/** Go decodes a repeated Filter into the same struct, so the last S3Key seen wins. */
function decodeFilter(element: XmlElement, current: FilterRule[]): FilterRule[] {
  let rules = current;
  for (const child of element.children) {
    if ("error" in child) throw child.error;
    if (!isElement(child)) continue;
    if (child.name === "S3Key") rules = decodeS3Key(child);
    else checkSubtree(child);
  }
  return rules;
}

function decodeS3Key(element: XmlElement): FilterRule[] {
  const rules: FilterRule[] = [];
  for (const child of element.children) {
    if ("error" in child) throw child.error;
    if (!isElement(child)) continue;
    if (child.name === "FilterRule") rules.push(decodeFilterRule(child));
    else checkSubtree(child);
  }
  const names = new Set<string>();
  for (const rule of rules) {
    if (names.has(rule.name)) throw rule.name === "prefix" ? duplicatePrefixError() : duplicateSuffixError();
    names.add(rule.name);
  }
  return rules;
}

function decodeFilterRule(element: XmlElement): FilterRule {
  let name = "";
  let value = "";
  for (const child of element.children) {
    if ("error" in child) throw child.error;
    if (!isElement(child)) continue;
    if (child.name === "Name") name = textOf(child);
    else if (child.name === "Value") value = textOf(child);
    else checkSubtree(child);
  }
  // MinIO's value check runs on the not-yet-filled receiver, so values are never rejected here (facts §3.3 QUIRK).
  if (name !== "prefix" && name !== "suffix") throw invalidFilterNameError(name);
  return { name, value };
}

/** reflect.DeepEqual after MinIO's tweak: the later entry's region is ignored when the earlier one has none. */
function sameQueue(left: QueueConfiguration, right: QueueConfiguration): boolean {
  const regionMatches = left.arn.region === right.arn.region || left.arn.region === "";
  return (
    left.id === right.id &&
    regionMatches &&
    left.arn.id === right.arn.id &&
    left.arn.type === right.arn.type &&
    left.events.length === right.events.length &&
    left.events.every((event, index) => event === right.events[index]) &&
    left.filterRules.length === right.filterRules.length &&
    left.filterRules.every((rule, index) => rule.name === right.filterRules[index]?.name && rule.value === right.filterRules[index]?.value)
  );
}
