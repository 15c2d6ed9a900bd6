import { describe, expect, it } from "vitest";
import { S3Error } from "../errors/s3-error.js";
import type { EventName } from "../types.js";
import {
  EVENT_NAMES,
  eventNameBit,
  eventNameMask,
  expandEventName,
  isRemovalEvent,
  maskHasEventName,
  parseEventName,
  WILDCARD_EVENT_NAMES,
} from "./event-names.js";
import { MC_EVENT_SHORTHANDS, parseMcEventList } from "./mc-event-shorthands.js";

function s3ErrorOf(action: () => unknown): S3Error {
  try {
    action();
  } catch (error) {
    if (error instanceof S3Error) return error;
    throw error;
  }
  throw new Error("expected an S3Error");
}

describe("event names", () => {
  it("lists the 32 concrete names in MinIO's enum order", () => {
    expect(EVENT_NAMES).toHaveLength(32);
    expect(new Set(EVENT_NAMES).size).toBe(32);
    expect(EVENT_NAMES[0]).toBe("s3:ObjectAccessed:Get");
    expect(EVENT_NAMES[3]).toBe("s3:ObjectAccessed:Head");
    expect(EVENT_NAMES[16]).toBe("s3:ObjectRemoved:NoOP");
    expect(EVENT_NAMES[17]).toBe("s3:BucketCreated:*");
    expect(EVENT_NAMES[31]).toBe("s3:LifecycleDelMarkerExpiration:Delete");
  });

  it("expands wildcards in MinIO's order", () => {
    expect(expandEventName("s3:ObjectAccessed:*")).toEqual([
      "s3:ObjectAccessed:Get",
      "s3:ObjectAccessed:Head",
      "s3:ObjectAccessed:GetRetention",
      "s3:ObjectAccessed:GetLegalHold",
      "s3:ObjectAccessed:Attributes",
    ]);
    expect(expandEventName("s3:ObjectRemoved:*")).toEqual([
      "s3:ObjectRemoved:Delete",
      "s3:ObjectRemoved:DeleteMarkerCreated",
      "s3:ObjectRemoved:NoOP",
      "s3:ObjectRemoved:DeleteAllVersions",
    ]);
    expect(expandEventName("s3:Replication:*").slice(2)).toEqual([
      "s3:Replication:OperationNotTracked",
      "s3:Replication:OperationMissedThreshold",
      "s3:Replication:OperationReplicatedAfterThreshold",
    ]);
    expect(expandEventName("s3:BucketCreated:*")).toEqual(["s3:BucketCreated:*"]);
    expect(expandEventName("s3:ObjectCreated:Put")).toEqual(["s3:ObjectCreated:Put"]);
    const covered = new Set(Object.values(WILDCARD_EVENT_NAMES).flat());
    expect(covered.has("s3:LifecycleDelMarkerExpiration:Delete")).toBe(false);
    expect(covered.size).toBe(26);
  });

  it("parses every concrete and wildcard name exactly", () => {
    for (const name of [...EVENT_NAMES, ...Object.keys(WILDCARD_EVENT_NAMES)]) expect(parseEventName(name)).toBe(name);
  });

  it.each(["", "s3:Scanner:*", " s3:ObjectCreated:Put", "s3:objectcreated:put", "s3:ReducedRedundancyLostObject", "s3:ObjectCreated:Put "])(
    "rejects %j as InvalidArgument",
    (text) => {
      const error = s3ErrorOf(() => parseEventName(text));
      expect(error.s3Code).toBe("InvalidArgument");
      expect(error.message).toBe("A specified event is not supported for notifications.");
      expect(error.httpStatus).toBe(400);
      expect(error.detail).toBe(`invalid event name '${text}'`);
    },
  );

  it("strips object fields only for Delete, DeleteMarkerCreated and NoOP", () => {
    const removal = EVENT_NAMES.filter(isRemovalEvent);
    expect(removal).toEqual(["s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated", "s3:ObjectRemoved:NoOP"]);
  });

  it("builds 32-bit masks", () => {
    expect(eventNameBit("s3:ObjectAccessed:Get")).toBe(1);
    expect(eventNameBit("s3:LifecycleDelMarkerExpiration:Delete")).toBe(2 ** 31);
    expect(eventNameBit("s3:ObjectCreated:*")).toBe(0);
    expect(eventNameBit("nonsense")).toBe(0);
    expect(maskHasEventName(0xffffffff, "nonsense")).toBe(false);
    const mask = eventNameMask(["s3:ObjectCreated:*", "s3:LifecycleDelMarkerExpiration:Delete"]);
    for (const name of EVENT_NAMES) {
      const expected = name.startsWith("s3:ObjectCreated:") || name === "s3:LifecycleDelMarkerExpiration:Delete";
      expect(maskHasEventName(mask, name as EventName)).toBe(expected);
    }
  });
});

describe("mc event shorthands", () => {
  it("maps mc tokens to server names in order", () => {
    expect(parseMcEventList("put,delete,get")).toEqual(["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectAccessed:*"]);
    expect(parseMcEventList("ilm")).toEqual(["s3:ObjectRestore:*", "s3:ObjectTransition:*"]);
    expect(parseMcEventList("scanner")).toEqual(["s3:Scanner:ManyVersions", "s3:Scanner:BigPrefix"]);
    expect(parseMcEventList("replica,bucket-creation,bucket-removal")).toEqual(["s3:Replication:*", "s3:BucketCreated:*", "s3:BucketRemoved:*"]);
    expect(Object.keys(MC_EVENT_SHORTHANDS)).toHaveLength(8);
  });

  it.each(["put, delete", "PUT", "", "toString", "put,"])("rejects %j", (list) => {
    expect(() => parseMcEventList(list)).toThrow(/unknown event type/);
  });
});
