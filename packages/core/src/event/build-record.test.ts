import { describe, expect, it } from "vitest";
import type { EventInput } from "../types.js";
import { buildEventRecord, formatEventTime, requestIdFor, sequencerFor } from "./build-record.js";
import { logEnvelopeJson } from "./envelope.js";
import { goJson } from "./go-json.js";
import { queryEscape, queryUnescape } from "./object-key.js";

// facts §2.5, compact as MinIO emits it.
const COMPOSED_RECORD =
  '{"eventVersion":"2.0","eventSource":"minio:s3","awsRegion":"eu-central-1","eventTime":"2024-05-06T07:08:09.374Z",' +
  '"eventName":"s3:ObjectCreated:Put","userIdentity":{"principalId":"app-uploader"},' +
  '"requestParameters":{"principalId":"app-uploader","region":"eu-central-1","sourceIPAddress":"192.0.2.44"},' +
  '"responseElements":{"x-amz-id-2":"dfcfe6a02244380a14a8e8e4a648b9131fd0cc609b0899dd0fefd9723fb84359",' +
  '"x-amz-request-id":"17CCD493BD5B0715","x-minio-deployment-id":"6f1c2b7e-0d3a-4a55-9a51-2f7c5e8d9b10",' +
  '"x-minio-origin-endpoint":"https://10.0.0.5:9000"},' +
  '"s3":{"s3SchemaVersion":"1.0","configurationId":"Config","bucket":{"name":"photos","ownerIdentity":{"principalId":"app-uploader"},' +
  '"arn":"arn:aws:s3:::photos"},"object":{"key":"2024%2Fsummer+trip%2Fimg+01.jpg","size":204800,' +
  '"eTag":"9b2cf535f27731c974343645a3985328","contentType":"image/jpeg",' +
  '"userMetadata":{"X-Amz-Meta-Camera":"x100v","content-type":"image/jpeg"},' +
  '"versionId":"0c2f5e4a-7b1d-4e26-8d59-3a1f2b6c9e07","sequencer":"17CCD493CC41BA04"}},' +
  '"source":{"host":"192.0.2.44","port":"","userAgent":"MinIO (linux; amd64) minio-go/v7.0.70 mc/RELEASE.2024-04-29T09-56-05Z"}}';

const REQUEST_START_NANOSECONDS = 1714979289123456789n;

function composedInput(): EventInput {
  return {
    eventName: "s3:ObjectCreated:Put",
    bucket: "photos",
    key: "2024/summer trip/img 01.jpg",
    size: 204800,
    eTag: "9b2cf535f27731c974343645a3985328",
    contentType: "image/jpeg",
    // Given out of order on purpose: Go sorts map keys by byte.
    userMetadata: { "content-type": "image/jpeg", "X-Amz-Meta-Camera": "x100v" },
    versionId: "0c2f5e4a-7b1d-4e26-8d59-3a1f2b6c9e07",
    modTime: new Date("2024-05-06T07:08:09.373Z"),
    modTimeNanoseconds: 1714979289373456900n,
    eventTime: new Date("2024-05-06T07:08:09.374Z"),
    request: {
      principalId: "app-uploader",
      region: "eu-central-1",
      sourceIp: "192.0.2.44",
      userAgent: "MinIO (linux; amd64) minio-go/v7.0.70 mc/RELEASE.2024-04-29T09-56-05Z",
      requestId: requestIdFor(REQUEST_START_NANOSECONDS),
      nodeIdHash: "dfcfe6a02244380a14a8e8e4a648b9131fd0cc609b0899dd0fefd9723fb84359",
      originEndpoint: "https://10.0.0.5:9000",
      deploymentId: "6f1c2b7e-0d3a-4a55-9a51-2f7c5e8d9b10",
    },
  };
}

describe("buildEventRecord", () => {
  it("rebuilds the composed example of facts §2.5 field by field and byte for byte", () => {
    const record = buildEventRecord(composedInput());
    const expected = JSON.parse(COMPOSED_RECORD);
    expect(record).toEqual(expected);
    expect(Object.keys(record)).toEqual(Object.keys(expected));
    expect(Object.keys(record.s3.object)).toEqual(Object.keys(expected.s3.object));
    expect(Object.keys(record.responseElements)).toEqual(Object.keys(expected.responseElements));
    expect(goJson(record)).toBe(COMPOSED_RECORD);
    expect(logEnvelopeJson(record)).toBe(`{"EventName":"s3:ObjectCreated:Put","Key":"photos/2024/summer trip/img 01.jpg","Records":[${COMPOSED_RECORD}]}`);
  });

  it("uses the raw key for Listen streams", () => {
    const record = buildEventRecord(composedInput(), { escapeKey: false });
    expect(record.s3.object.key).toBe("2024/summer trip/img 01.jpg");
  });

  it("falls back to the millisecond modTime when no nanoseconds are given", () => {
    const { modTimeNanoseconds: _dropped, ...input } = composedInput();
    expect(buildEventRecord(input).s3.object.sequencer).toBe(sequencerFor(1714979289373000000n));
  });

  it("strips size, eTag, contentType and userMetadata from a removal record", () => {
    const record = buildEventRecord({ ...composedInput(), eventName: "s3:ObjectRemoved:Delete", modTime: undefined, modTimeNanoseconds: undefined });
    expect(goJson(record.s3.object)).toBe(
      '{"key":"2024%2Fsummer+trip%2Fimg+01.jpg","versionId":"0c2f5e4a-7b1d-4e26-8d59-3a1f2b6c9e07","sequencer":"17CCD493CC4A0380"}',
    );
    expect(sequencerFor(BigInt(Date.parse("2024-05-06T07:08:09.374Z")) * 1_000_000n)).toBe("17CCD493CC4A0380");
  });

  it("keeps the object fields for DeleteAllVersions and LifecycleDelMarkerExpiration", () => {
    for (const eventName of ["s3:ObjectRemoved:DeleteAllVersions", "s3:LifecycleDelMarkerExpiration:Delete"] as const) {
      const object = buildEventRecord({ ...composedInput(), eventName }).s3.object;
      expect(object.size).toBe(204800);
      expect(object.eTag).toBe("9b2cf535f27731c974343645a3985328");
      expect(object.userMetadata).toBeDefined();
    }
  });

  it("builds a bucket-created record with an empty key and the event-time sequencer", () => {
    const eventTime = new Date("2024-05-06T07:08:09.001Z");
    const record = buildEventRecord({
      eventName: "s3:BucketCreated:*",
      bucket: "photos",
      eventTime,
      request: { principalId: "admin", region: "", sourceIp: "::1", userAgent: "mc", requestId: "ABC", contentLength: 0 },
      sourceHost: "[::1]",
    });
    expect(goJson(record.s3.object)).toBe(`{"key":"","sequencer":"${sequencerFor(BigInt(eventTime.getTime()) * 1_000_000n)}"}`);
    expect(record.s3.object.sequencer).toBe("17CCD493B60E7C40");
    expect(record.eventTime).toBe("2024-05-06T07:08:09.001Z");
    expect(record.awsRegion).toBe("");
    expect(record.source).toEqual({ host: "[::1]", port: "", userAgent: "mc" });
    expect(goJson(record.responseElements)).toBe(
      '{"content-length":"0","x-amz-id-2":"","x-amz-request-id":"ABC","x-minio-deployment-id":"","x-minio-origin-endpoint":""}',
    );
  });

  it("builds an internal record: null requestParameters, empty principal, host from the node", () => {
    const record = buildEventRecord(
      {
        eventName: "s3:ObjectTransition:Complete",
        bucket: "logs",
        key: "a b",
        size: 0,
        eTag: "",
        contentType: "",
        versionId: "",
        userMetadata: {},
        modTime: new Date("2024-01-02T03:04:05.678Z"),
        eventTime: new Date("2024-01-02T03:04:06.000Z"),
        sourceHost: "node1:9000",
        userAgent: "Internal: [ILM-Transition]",
      },
      { deploymentId: "dep-1", originEndpoint: "http://node1:9000" },
    );
    const json = goJson(record);
    expect(json).toContain('"awsRegion":"","eventTime":"2024-01-02T03:04:06.000Z"');
    expect(json).toContain('"userIdentity":{"principalId":""},"requestParameters":null,');
    expect(json).toContain(
      '"responseElements":{"x-amz-id-2":"","x-amz-request-id":"","x-minio-deployment-id":"dep-1","x-minio-origin-endpoint":"http://node1:9000"}',
    );
    expect(goJson(record.s3.object)).toBe(`{"key":"a+b","sequencer":"${sequencerFor(1704164645678000000n)}"}`);
    expect(json.endsWith('"source":{"host":"node1:9000","port":"","userAgent":"Internal: [ILM-Transition]"}}')).toBe(true);
  });

  it("adds range to requestParameters in Go's sorted key order, and content-length first", () => {
    const record = buildEventRecord({
      eventName: "s3:ObjectAccessed:Get",
      bucket: "b",
      key: "k",
      eventTime: new Date(0),
      request: { principalId: "p", region: "r", sourceIp: "203.0.113.9", range: "bytes=0-9", contentLength: 10 },
    });
    expect(goJson(record.requestParameters)).toBe('{"principalId":"p","range":"bytes=0-9","region":"r","sourceIPAddress":"203.0.113.9"}');
    expect(Object.keys(record.responseElements)[0]).toBe("content-length");
    expect(record.responseElements["content-length"]).toBe("10");
    expect(record.awsRegion).toBe("r");
    const unranged = buildEventRecord({ eventName: "s3:ObjectAccessed:Get", bucket: "b", request: { range: "" } });
    expect(goJson(unranged.requestParameters)).toBe('{"principalId":"","region":"","sourceIPAddress":""}');
  });

  it("sorts userMetadata by UTF-8 byte order", () => {
    const record = buildEventRecord({
      eventName: "s3:ObjectCreated:Put",
      bucket: "b",
      key: "k",
      userMetadata: { b: "1", "X-Amz-Meta-Z": "2", "X-Amz-Meta-a": "3", "\u00e9": "4", A: "5" },
    });
    expect(Object.keys(record.s3.object.userMetadata ?? {})).toEqual(["A", "X-Amz-Meta-Z", "X-Amz-Meta-a", "b", "\u00e9"]);
  });
});

describe("formatEventTime, sequencerFor, requestIdFor", () => {
  it("always prints three fractional digits and Z", () => {
    expect(formatEventTime(new Date("2024-05-06T07:08:09Z"))).toBe("2024-05-06T07:08:09.000Z");
    expect(formatEventTime(new Date(Date.UTC(2024, 0, 1, 0, 0, 0, 50)))).toBe("2024-01-01T00:00:00.050Z");
  });
  it("prints upper-case hex without leading zeros", () => {
    expect(sequencerFor(255n)).toBe("FF");
    expect(requestIdFor(REQUEST_START_NANOSECONDS)).toBe("17CCD493BD5B0715");
    expect(requestIdFor(new Date(1))).toBe("F4240");
  });
});

describe("key encoding and Go JSON escaping", () => {
  it.each([
    ["2024/summer trip/img 01.jpg", "2024%2Fsummer+trip%2Fimg+01.jpg"],
    ["!*'()", "%21%2A%27%28%29"],
    ["a-b_c.d~e", "a-b_c.d~e"],
    ["caf\u00e9/\u65e5\u672c.txt", "caf%C3%A9%2F%E6%97%A5%E6%9C%AC.txt"],
    ["emoji \u{1F600}", "emoji+%F0%9F%98%80"],
    ["a+b&c=d%e", "a%2Bb%26c%3Dd%25e"],
    ["", ""],
    ["lone \ud800 surrogate", "lone+%EF%BF%BD+surrogate"],
    ["tab\tnl\n#?[]@$,;:", "tab%09nl%0A%23%3F%5B%5D%40%24%2C%3B%3A"],
  ])("escapes %j as Go's url.QueryEscape", (raw, escaped) => {
    expect(queryEscape(raw)).toBe(escaped);
    if (!raw.includes("\ud800")) expect(queryUnescape(escaped)).toBe(raw);
    expect(buildEventRecord({ eventName: "s3:ObjectCreated:Put", bucket: "b", key: raw }).s3.object.key).toBe(escaped);
  });

  it.each([
    ["plain/key.txt", "plain/key.txt"],
    ["a+b", "a b"],
    ["100%", "100%"],
    ["%zz%41", "%zz%41"],
    ["%41%2F+", "A/ "],
  ])("unescapes %j as Go's url.QueryUnescape, keeping invalid escapes", (escaped, raw) => {
    expect(queryUnescape(escaped)).toBe(raw);
  });

  it("escapes <, >, & and U+2028/U+2029 like Go inside a record", () => {
    const record = buildEventRecord(
      {
        eventName: "s3:ObjectCreated:Put",
        bucket: "b",
        key: "<a>&\u2028",
        userMetadata: { "X-Amz-Meta-Note": "<b>&\u2029" },
      },
      { escapeKey: false },
    );
    const json = goJson(record);
    expect(json).toContain('"key":"\\u003ca\\u003e\\u0026\\u2028"');
    expect(json).toContain('"X-Amz-Meta-Note":"\\u003cb\\u003e\\u0026\\u2029"');
    expect(JSON.parse(json)).toEqual(record);
  });
});
