import { describe, expect, it } from "vitest";
import { S3Error } from "../errors/s3-error.js";
import { formatArn, parseArn, parseTargetIdString, targetIdString } from "./arn.js";

describe("parseArn", () => {
  it.each([
    ["arn:minio:sqs::1:webhook", { region: "", id: "1", type: "webhook" }],
    ["arn:minio:sqs:us-east-1:primary:postgresql", { region: "us-east-1", id: "primary", type: "postgresql" }],
    ["arn:minio:sqs::_:amqp", { region: "", id: "_", type: "amqp" }],
  ])("parses %j", (text, arn) => {
    expect(parseArn(text)).toEqual(arn);
    expect(formatArn(parseArn(text))).toBe(text);
  });

  it.each([
    "",
    "arn:minio:sqs:",
    "arn:minio:sqs::1",
    "arn:minio:sqs:::webhook",
    "arn:minio:sqs::1:",
    "arn:minio:sqs::1:webhook:extra",
    "ARN:minio:sqs::1:webhook",
    "arn:aws:sqs::1:webhook",
    " arn:minio:sqs::1:webhook",
    "arn:minio:sqs::1:webhook:",
  ])("rejects %j", (text) => {
    let caught: unknown;
    try {
      parseArn(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(S3Error);
    const error = caught as S3Error;
    expect(error.s3Code).toBe("InvalidArgument");
    expect(error.httpStatus).toBe(400);
    expect(error.message).toBe("A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.");
    expect(error.detail).toBe(`invalid ARN '${text}'`);
  });

  it("renders an all-empty ARN as an empty string", () => {
    expect(formatArn({ region: "", id: "", type: "" })).toBe("");
    expect(formatArn({ region: "r", id: "", type: "" })).toBe("arn:minio:sqs:r::");
  });
});

describe("target id strings", () => {
  it("round-trips <ID>:<TYPE>", () => {
    expect(targetIdString({ id: "1", type: "webhook" })).toBe("1:webhook");
    expect(parseTargetIdString("PRIMARY:postgresql")).toEqual({ id: "PRIMARY", type: "postgresql" });
  });
  it.each(["webhook", "a:b:c", ""])("rejects %j", (text) => {
    expect(() => parseTargetIdString(text)).toThrow(`invalid TargetID format '${text}'`);
  });
});
