import { describe, expect, it } from "vitest";
import { S3Error } from "../errors/s3-error.js";
import { missingContentLengthError } from "../s3/notification-errors.js";
import type { RulesValidationContext, TargetId } from "../types.js";
import { parseNotificationJson } from "./notification-json.js";
import { notificationToXml } from "./notification-to-xml.js";
import { parseNotificationXml } from "./notification-xml.js";

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const INVALID_ARN = "A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.";
const MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema.";

function document(...queues: string[]): string {
  return `<NotificationConfiguration ${NS}>${queues.join("")}</NotificationConfiguration>`;
}

function queue(parts: { id?: string; arn?: string; events?: string[]; filter?: string; extra?: string }): string {
  const id = parts.id === undefined ? "" : `<Id>${parts.id}</Id>`;
  const arn = parts.arn === undefined ? "" : `<Queue>${parts.arn}</Queue>`;
  const events = (parts.events ?? ["s3:ObjectCreated:*"]).map((event) => `<Event>${event}</Event>`).join("");
  return `<QueueConfiguration>${id}${arn}${events}${parts.filter ?? ""}${parts.extra ?? ""}</QueueConfiguration>`;
}

function filter(...rules: [string, string][]): string {
  return `<Filter><S3Key>${rules.map(([name, value]) => `<FilterRule><Name>${name}</Name><Value>${value}</Value></FilterRule>`).join("")}</S3Key></Filter>`;
}

function context(region: string, ...known: string[]): RulesValidationContext {
  return { region, targetExists: (target: TargetId) => known.includes(`${target.id}:${target.type}`) };
}

function errorOf(action: () => unknown): S3Error {
  try {
    action();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("expected an S3Error");
}

function expectS3Error(action: () => unknown, s3Code: string, message: string, detail?: string, httpStatus = 400): void {
  const error = errorOf(action);
  expect({ s3Code: error.s3Code, message: error.message, httpStatus: error.httpStatus }).toEqual({ s3Code, message, httpStatus });
  if (detail !== undefined) expect(error.detail).toBe(detail);
}

const WEBHOOK = "arn:minio:sqs::1:webhook";

describe("parseNotificationXml: facts §3.4 error rows", () => {
  it.each(["s3:Scanner:*", "", " s3:ObjectCreated:Put", "s3:ObjectCreated:Put\n", "s3:objectcreated:*"])("unknown event name %j", (event) => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: WEBHOOK, events: [event] }))),
      "InvalidArgument",
      "A specified event is not supported for notifications.",
      `invalid event name '${event}'`,
    );
  });

  it.each(["arn:minio:sqs::1", "arn:aws:sqs::1:webhook", " arn:minio:sqs::1:webhook", "arn:minio:sqs:::webhook", ""])("ARN syntax %j", (arn) => {
    expectS3Error(() => parseNotificationXml(document(queue({ arn }))), "InvalidArgument", INVALID_ARN, `invalid ARN '${arn}'`);
  });

  it("ARN well-formed but no such target", () => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: "arn:minio:sqs::2:webhook" })), context("", "1:webhook")),
      "InvalidArgument",
      INVALID_ARN,
      "ARN 'arn:minio:sqs::2:webhook' not found",
    );
  });

  it("missing <Queue> is an unknown ARN when validated", () => {
    expectS3Error(() => parseNotificationXml(document(queue({})), context("", "1:webhook")), "InvalidArgument", INVALID_ARN, "ARN '' not found");
  });

  it("ARN region differs from the server region", () => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: "arn:minio:sqs:us-west-2:1:webhook" })), context("us-east-1", "1:webhook")),
      "InvalidArgument",
      "A specified destination is in a different region than the bucket. You must use a destination that resides in the same region as the bucket.",
      "unknown region 'us-west-2'",
    );
  });

  it("checks the region only when both are set, and stores the server region", () => {
    const regionless = parseNotificationXml(document(queue({ arn: WEBHOOK })), context("us-east-1", "1:webhook"));
    expect(regionless.queues[0]?.arn).toEqual({ region: "us-east-1", id: "1", type: "webhook" });
    const serverless = parseNotificationXml(document(queue({ arn: "arn:minio:sqs:eu-west-1:1:webhook" })), context("", "1:webhook"));
    expect(serverless.queues[0]?.arn).toEqual({ region: "", id: "1", type: "webhook" });
  });

  it.each(["Prefix", "SUFFIX", "", " prefix", "other"])("invalid filter name %j", (name) => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: WEBHOOK, filter: filter([name, "x"]) }))),
      "InvalidArgument",
      "filter rule name must be either prefix or suffix",
      `invalid filter name '${name}'`,
    );
  });

  it("two prefix rules", () => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: WEBHOOK, filter: filter(["prefix", "a"], ["suffix", "b"], ["prefix", "c"]) }))),
      "InvalidArgument",
      "Cannot specify more than one prefix rule in a filter.",
      "more than one prefix in filter rule",
    );
  });

  it("two suffix rules", () => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: WEBHOOK, filter: filter(["suffix", "a"], ["suffix", "a"]) }))),
      "InvalidArgument",
      "Cannot specify more than one suffix rule in a filter.",
      "more than one suffix in filter rule",
    );
  });

  it("filter values are not checked on PUT (MinIO quirk)", () => {
    const parsed = parseNotificationXml(document(queue({ arn: WEBHOOK, filter: filter(["prefix", "../a\\b"], ["suffix", "x".repeat(2000)]) })));
    expect(parsed.queues[0]?.filterRules).toEqual([
      { name: "prefix", value: "../a\\b" },
      { name: "suffix", value: "x".repeat(2000) },
    ]);
  });

  it("the same event twice in one entry", () => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: WEBHOOK, events: ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*", "s3:ObjectCreated:Put"] }))),
      "InvalidArgument",
      "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
      "duplicate event name 's3:ObjectCreated:Put' found",
    );
  });

  it("two identical queue configurations", () => {
    const entry = queue({ id: "a", arn: WEBHOOK, filter: filter(["prefix", "p/"]) });
    expectS3Error(
      () => parseNotificationXml(document(entry, entry)),
      "InvalidArgument",
      "An object key name filtering rule defined with overlapping prefixes, overlapping suffixes, or overlapping combinations of prefixes and suffixes for the same event types.",
    );
    expect(errorOf(() => parseNotificationXml(document(entry, entry))).detail).toMatch(/^duplicate queue configuration <QueueConfiguration><Id>a<\/Id>/);
  });

  it("a region-less ARN equals a later region-ful one, not the other way round (MinIO's DeepEqual tweak)", () => {
    const regionless = queue({ arn: WEBHOOK });
    const regionful = queue({ arn: "arn:minio:sqs:us-east-1:1:webhook" });
    expect(errorOf(() => parseNotificationXml(document(regionless, regionful))).detail).toMatch(/^duplicate queue configuration/);
    expect(parseNotificationXml(document(regionful, regionless)).queues).toHaveLength(2);
  });

  it("entries that differ in Id, event order or filter are not duplicates", () => {
    const parsed = parseNotificationXml(
      document(
        queue({ id: "a", arn: WEBHOOK }),
        queue({ id: "b", arn: WEBHOOK }),
        queue({ id: "a", arn: WEBHOOK, events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"] }),
        queue({ id: "a", arn: WEBHOOK, events: ["s3:ObjectRemoved:*", "s3:ObjectCreated:*"] }),
        queue({ id: "a", arn: WEBHOOK, filter: filter(["prefix", "x"]) }),
      ),
    );
    expect(parsed.queues).toHaveLength(5);
  });

  it.each(["TopicConfiguration", "CloudFunctionConfiguration"])("%s is unsupported", (element) => {
    expectS3Error(
      () => parseNotificationXml(document(queue({ arn: WEBHOOK }), `<${element}><Id>t</Id><Topic>arn:aws:sns:::x</Topic></${element}>`)),
      "UnsupportedNotification",
      "MinIO server does not support Topic or Cloud Function based notifications.",
      "topic or cloud function configuration is not supported",
    );
  });

  it("duplicates are reported before unsupported entries", () => {
    const entry = queue({ arn: WEBHOOK });
    expect(errorOf(() => parseNotificationXml(document("<TopicConfiguration/>", entry, entry))).detail).toMatch(/^duplicate queue/);
  });

  it("a QueueConfiguration without Event is MalformedXML", () => {
    expectS3Error(() => parseNotificationXml(document(queue({ arn: WEBHOOK, events: [] }))), "MalformedXML", MALFORMED, "missing event name(s)");
  });

  it("a wrong root element is MalformedXML", () => {
    expectS3Error(() => parseNotificationXml(`<BucketNotificationConfiguration ${NS}/>`), "MalformedXML", MALFORMED);
  });

  it.each(["", "   ", "<NotificationConfiguration>", "<NotificationConfiguration><QueueConfiguration></NotificationConfiguration>", "not xml"])(
    "syntax error %j is MalformedXML with the detail appended",
    (xml) => {
      const error = errorOf(() => parseNotificationXml(xml));
      expect(error.s3Code).toBe("MalformedXML");
      expect(error.httpStatus).toBe(400);
      expect(error.message.startsWith(`${MALFORMED} (`)).toBe(true);
      expect(error.message.endsWith(")")).toBe(true);
    },
  );

  it("an undefined entity is a syntax error", () => {
    const error = errorOf(() => parseNotificationXml(document(queue({ id: "&nbsp;", arn: WEBHOOK }))));
    expect(error.s3Code).toBe("MalformedXML");
    expect(error.message).toBe(`${MALFORMED} (XML syntax error: invalid character entity &nbsp;)`);
  });

  it("Content-Length ≤ 0 is MissingContentLength with HTTP 411", () => {
    expectS3Error(
      () => {
        throw missingContentLengthError();
      },
      "MissingContentLength",
      "You must provide the Content-Length HTTP header.",
      undefined,
      411,
    );
  });

  it("reports the first error in document order", () => {
    const badFilter = queue({ arn: WEBHOOK, filter: filter(["name", "x"]) });
    const badEvent = queue({ arn: WEBHOOK, events: ["s3:Nope"] });
    expect(errorOf(() => parseNotificationXml(document(badFilter, badEvent))).detail).toBe("invalid filter name 'name'");
    expect(errorOf(() => parseNotificationXml(document(badEvent, badFilter))).detail).toBe("invalid event name 's3:Nope'");
    // Within one entry, Queue before Event: the ARN is checked first.
    const arnFirst = `<QueueConfiguration><Queue>bad</Queue><Event>bad</Event></QueueConfiguration>`;
    expect(errorOf(() => parseNotificationXml(document(arnFirst))).detail).toBe("invalid ARN 'bad'");
  });

  it("checks syntax before the target lookup", () => {
    expect(errorOf(() => parseNotificationXml(document(queue({ arn: "arn:minio:sqs::9:kafka", events: ["bad"] })), context(""))).detail).toBe(
      "invalid event name 'bad'",
    );
  });
});

describe("parseNotificationXml: accepted documents", () => {
  it("parses the facts §3.2 example", () => {
    const xml = `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <QueueConfiguration>
    <Id>jpeg-uploads</Id>
    <Queue>arn:minio:sqs::primary:webhook</Queue>
    <Event>s3:ObjectCreated:*</Event>
    <Event>s3:ObjectRemoved:Delete</Event>
    <Filter>
      <S3Key>
        <FilterRule><Name>prefix</Name><Value>2024/</Value></FilterRule>
        <FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule>
      </S3Key>
    </Filter>
  </QueueConfiguration>
</NotificationConfiguration>`;
    expect(parseNotificationXml(xml, context("", "primary:webhook"))).toEqual({
      queues: [
        {
          id: "jpeg-uploads",
          arn: { region: "", id: "primary", type: "webhook" },
          events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
          filterRules: [
            { name: "prefix", value: "2024/" },
            { name: "suffix", value: ".jpg" },
          ],
        },
      ],
    });
  });

  it("accepts what MinIO accepts and AWS would not (facts §3.4)", () => {
    const parsed = parseNotificationXml(
      document(
        queue({ arn: WEBHOOK, events: ["s3:ObjectCreated:*", "s3:ObjectCreated:Put"], filter: filter(["prefix", "a/"]) }),
        queue({ arn: "arn:minio:sqs::2:amqp", events: ["s3:ObjectCreated:Put"], filter: filter(["prefix", "a/b/"]) }),
      ),
    );
    expect(parsed.queues.map((entry) => entry.events)).toEqual([["s3:ObjectCreated:*", "s3:ObjectCreated:Put"], ["s3:ObjectCreated:Put"]]);
  });

  it("accepts an empty configuration", () => {
    expect(parseNotificationXml(`<NotificationConfiguration ${NS}/>`)).toEqual({ queues: [] });
    expect(parseNotificationXml("<NotificationConfiguration></NotificationConfiguration>")).toEqual({ queues: [] });
  });

  it("matches element names by local name, ignores unknown elements, attributes and comments", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<s3:NotificationConfiguration xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">
  <!-- a comment -->
  <s3:QueueConfiguration kind="x"><s3:Unknown><Event>not-checked</Event></s3:Unknown>
    <s3:Event>s3:ObjectCreated:Put</s3:Event><s3:Queue>${WEBHOOK}</s3:Queue>
    <s3:Filter><s3:S3Key><s3:FilterRule><s3:Name>suffix</s3:Name><s3:Value>.png</s3:Value><Other/></s3:FilterRule></s3:S3Key></s3:Filter>
  </s3:QueueConfiguration>
  <Extra>ignored</Extra>
</s3:NotificationConfiguration>`;
    expect(parseNotificationXml(xml).queues).toEqual([
      { id: "", arn: { region: "", id: "1", type: "webhook" }, events: ["s3:ObjectCreated:Put"], filterRules: [{ name: "suffix", value: ".png" }] },
    ]);
  });

  it("keeps text exactly as Go's decoder does: no trimming, no number coercion, entities and CDATA decoded", () => {
    const parsed = parseNotificationXml(
      document(
        queue({
          id: " my id &amp; &lt;more&gt; &#65;&#x42; ",
          arn: WEBHOOK,
          filter: filter(["prefix", "007"], ["suffix", "<![CDATA[ <x>&amp; ]]>"]),
        }),
      ),
    );
    expect(parsed.queues[0]?.id).toBe(" my id & <more> AB ");
    expect(parsed.queues[0]?.filterRules).toEqual([
      { name: "prefix", value: "007" },
      { name: "suffix", value: " <x>&amp; " },
    ]);
  });

  it("normalises CRLF in text to LF", () => {
    const parsed = parseNotificationXml(document(queue({ id: "a\r\nb\rc", arn: WEBHOOK })));
    expect(parsed.queues[0]?.id).toBe("a\nb\nc");
  });

  it("lets the last Id, Queue and S3Key win, as repeated Go struct fields do", () => {
    const xml = document(
      `<QueueConfiguration><Id>first</Id><Id>second</Id><Queue>arn:minio:sqs::1:webhook</Queue><Queue>arn:minio:sqs::2:amqp</Queue>` +
        `<Event>s3:ObjectCreated:Put</Event>${filter(["prefix", "a"])}${filter(["suffix", "b"])}</QueueConfiguration>`,
    );
    const [entry] = parseNotificationXml(xml).queues;
    expect(entry?.id).toBe("second");
    expect(entry?.arn).toEqual({ region: "", id: "2", type: "amqp" });
    expect(entry?.filterRules).toEqual([{ name: "suffix", value: "b" }]);
  });
});

describe("notificationToXml", () => {
  it("renders a never-configured bucket", () => {
    expect(notificationToXml(undefined, "")).toBe(`<NotificationConfiguration ${NS}></NotificationConfiguration>`);
    expect(notificationToXml({ queues: [] }, "us-east-1")).toBe(`<NotificationConfiguration ${NS}></NotificationConfiguration>`);
  });

  it("renders Id, Filter, Events, Queue in MinIO's order with the server region", () => {
    const configuration = parseNotificationXml(
      document(
        `<QueueConfiguration><Queue>arn:minio:sqs:old:1:webhook</Queue><Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:Delete</Event>${filter(["suffix", ".jpg"], ["prefix", "a&amp;b"])}</QueueConfiguration>`,
        queue({ id: "two", arn: "arn:minio:sqs::2:amqp" }),
      ),
    );
    expect(notificationToXml(configuration, "us-east-1")).toBe(
      `<NotificationConfiguration ${NS}>` +
        "<QueueConfiguration><Id></Id><Filter><S3Key><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule>" +
        "<FilterRule><Name>prefix</Name><Value>a&amp;b</Value></FilterRule></S3Key></Filter>" +
        "<Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:Delete</Event><Queue>arn:minio:sqs:us-east-1:1:webhook</Queue></QueueConfiguration>" +
        "<QueueConfiguration><Id>two</Id><Event>s3:ObjectCreated:*</Event><Queue>arn:minio:sqs:us-east-1:2:amqp</Queue></QueueConfiguration>" +
        "</NotificationConfiguration>",
    );
    expect(notificationToXml(configuration, "")).toContain("<Queue>arn:minio:sqs::1:webhook</Queue>");
  });

  it("escapes text as Go's xml.EscapeText", () => {
    const xml = notificationToXml(
      { queues: [{ id: `"'<>&\t\n\r\u0001`, arn: { region: "", id: "1", type: "webhook" }, events: ["s3:ObjectCreated:Put"], filterRules: [] }] },
      "",
    );
    expect(xml).toContain("<Id>&#34;&#39;&lt;&gt;&amp;&#x9;&#xA;&#xD;\ufffd</Id>");
  });

  it("round-trips parse → toXml → parse", () => {
    const original = document(
      queue({
        id: " spaced &amp; &lt;odd&gt; ",
        arn: WEBHOOK,
        events: ["s3:ObjectCreated:*", "s3:BucketCreated:*"],
        filter: filter(["prefix", "2024/ a"], ["suffix", "*.jpg"]),
      }),
      queue({ arn: "arn:minio:sqs::PRIMARY:postgresql", events: ["s3:LifecycleDelMarkerExpiration:Delete"] }),
    );
    const parsed = parseNotificationXml(original);
    const rendered = notificationToXml(parsed, "");
    expect(parseNotificationXml(rendered)).toEqual(parsed);
    expect(notificationToXml(parseNotificationXml(rendered), "")).toBe(rendered);
  });
});

describe("parseNotificationJson", () => {
  const xmlEquivalent = document(
    queue({ id: "jpeg", arn: WEBHOOK, events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"], filter: filter(["prefix", "2024/"], ["suffix", ".jpg"]) }),
  );

  it("reads the AWS-SDK-like shape", () => {
    const json = {
      QueueConfigurations: [
        {
          Id: "jpeg",
          QueueArn: WEBHOOK,
          Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
          Filter: {
            Key: {
              FilterRules: [
                { Name: "prefix", Value: "2024/" },
                { Name: "suffix", Value: ".jpg" },
              ],
            },
          },
        },
      ],
    };
    expect(parseNotificationJson(json)).toEqual(parseNotificationXml(xmlEquivalent));
    expect(parseNotificationJson(JSON.stringify(json))).toEqual(parseNotificationXml(xmlEquivalent));
  });

  it("reads the XML-mirroring shape", () => {
    const json = {
      QueueConfiguration: [
        {
          Id: "jpeg",
          Queue: WEBHOOK,
          Event: ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
          Filter: {
            S3Key: {
              FilterRule: [
                { Name: "prefix", Value: "2024/" },
                { Name: "suffix", Value: ".jpg" },
              ],
            },
          },
        },
      ],
    };
    expect(parseNotificationJson(json)).toEqual(parseNotificationXml(xmlEquivalent));
  });

  it("applies the same checks and errors", () => {
    expect(errorOf(() => parseNotificationJson({ QueueConfigurations: [{ QueueArn: WEBHOOK, Events: ["nope"] }] })).detail).toBe("invalid event name 'nope'");
    expect(errorOf(() => parseNotificationJson({ QueueConfigurations: [{ QueueArn: WEBHOOK, Events: [] }] })).s3Code).toBe("MalformedXML");
    expect(errorOf(() => parseNotificationJson({ TopicConfigurations: [{}] })).s3Code).toBe("UnsupportedNotification");
    expect(errorOf(() => parseNotificationJson({ QueueConfigurations: [{ QueueArn: WEBHOOK, Events: [7] }] })).s3Code).toBe("MalformedXML");
    expect(errorOf(() => parseNotificationJson("{")).message.startsWith(`${MALFORMED} (JSON syntax error`)).toBe(true);
    expect(errorOf(() => parseNotificationJson({ QueueConfigurations: [{ Events: ["s3:ObjectCreated:Put"] }] }, context("", "1:webhook"))).detail).toBe(
      "ARN '' not found",
    );
    expect(parseNotificationJson({})).toEqual({ queues: [] });
  });
});

describe("parseNotificationXml: hostile input", () => {
  it("answers MalformedXML for absurd nesting instead of crashing", () => {
    const depth = 200_000;
    const xml = `<NotificationConfiguration>${"<a>".repeat(depth)}${"</a>".repeat(depth)}</NotificationConfiguration>`;
    let caught: unknown;
    try {
      parseNotificationXml(xml);
    } catch (error) {
      caught = error;
    }
    // Either it parses (deep unknown elements are ignored) or it is a MalformedXML S3 error; never a RangeError.
    if (caught !== undefined) expect((caught as S3Error).s3Code).toBe("MalformedXML");
  });
});
