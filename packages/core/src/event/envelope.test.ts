import { describe, expect, it } from "vitest";
import type { EventRecord } from "../types.js";
import { buildEventRecord } from "./build-record.js";
import { logEnvelopeJson, recordsJson, toLogEnvelope } from "./envelope.js";
import { goJson } from "./go-json.js";
import { recordJson, rememberRecordJson } from "./record-json.js";

/** Keys and metadata that exercise every rewrite goJson makes: HTML characters, U+2028/9, lone and paired surrogates. */
function trickyRecords(): EventRecord[] {
  return [
    "plain/key.jpg",
    "a<b>&c.txt",
    "line\u2028sep\u2029.txt",
    "emoji-😀.png",
    "lone-\ud800-high",
    "lone-\udc00-low",
    'quote"back\\slash',
    "ünïcødé/日本語",
  ].map((key, index) =>
    buildEventRecord({
      eventName: index % 3 === 0 ? "s3:ObjectRemoved:Delete" : "s3:ObjectCreated:Put",
      bucket: "tricky",
      key,
      size: index + 1,
      eTag: "abc",
      userMetadata: { "x-amz-meta-note": `v<${key}>` },
      request: { principalId: "p&q", sourceIp: "127.0.0.1", userAgent: "ua<1>" },
      eventTime: new Date(Date.UTC(2024, 0, 1, 0, 0, index)),
    }),
  );
}

describe("record JSON shared across targets", () => {
  it("the envelope and the Records value are byte-identical to goJson of the whole value", () => {
    for (const record of trickyRecords()) {
      expect(recordJson(record)).toBe(goJson(record));
      expect(recordsJson(record)).toBe(goJson({ Records: [record] }));
      expect(logEnvelopeJson(record)).toBe(goJson(toLogEnvelope(record)));
    }
  });

  it("serializes a record once, however many times it is asked", () => {
    const [record] = trickyRecords() as [EventRecord];
    expect(recordJson(record)).toBe(recordJson(record));
    // The same string object: the second call did not stringify again.
    const first = recordJson(record);
    expect(Object.is(recordJson(record), first)).toBe(true);
  });

  it("remembers text read back from the store only when goJson would have written it the same", () => {
    const records = trickyRecords();
    const plain = buildEventRecord({ eventName: "s3:ObjectCreated:Put", bucket: "plain", key: "a.jpg", size: 1 });
    const plainText = JSON.stringify(plain);
    rememberRecordJson(plain, plainText);
    expect(recordJson(plain)).toBe(plainText);

    // An older log wrote JSON.stringify text, which leaves `<` unescaped: it must not be reused.
    const html = JSON.parse(JSON.stringify(records[1])) as EventRecord;
    rememberRecordJson(html, JSON.stringify(html));
    expect(recordJson(html)).toBe(goJson(html));
    expect(recordJson(html)).toContain("\\u003c");
  });
});
