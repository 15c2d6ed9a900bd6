import { S3Error } from "@s3notify/core";

/** S3 error codes this host returns, with the HTTP status and the message S3/MinIO use. */
const CATALOGUE = {
  AccessDenied: [403, "Access Denied."],
  AuthorizationHeaderMalformed: [400, "The authorization header is malformed; the region is wrong; expecting 'us-east-1'."],
  AuthorizationQueryParametersError: [
    400,
    'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
  ],
  BadDigest: [400, "The Content-Md5 you specified did not match what we received."],
  BucketAlreadyOwnedByYou: [409, "Your previous request to create the named bucket succeeded and you already own it."],
  BucketNotEmpty: [409, "The bucket you tried to delete is not empty"],
  EntityTooSmall: [400, "Your proposed upload is smaller than the minimum allowed object size."],
  EntityTooLarge: [400, "Your proposed upload exceeds the maximum allowed object size."],
  IncompleteBody: [400, "You did not provide the number of bytes specified by the Content-Length HTTP header."],
  InternalError: [500, "We encountered an internal error, please try again."],
  InvalidAccessKeyId: [403, "The Access Key Id you provided does not exist in our records."],
  InvalidArgument: [400, "Invalid argument"],
  InvalidBucketName: [400, "The specified bucket is not valid."],
  InvalidDigest: [400, "The Content-Md5 you specified is not valid."],
  InvalidPart: [
    400,
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  ],
  InvalidPartOrder: [400, "The list of parts was not in ascending order. The parts list must be specified in order by part number."],
  InvalidRange: [416, "The requested range is not satisfiable"],
  InvalidRequest: [400, "Invalid Request"],
  InvalidTag: [400, "The TagValue you have provided is invalid"],
  MalformedXML: [400, "The XML you provided was not well-formed or did not validate against our published schema."],
  MethodNotAllowed: [405, "The specified method is not allowed against this resource."],
  MissingContentLength: [411, "You must provide the Content-Length HTTP header."],
  MissingSecurityHeader: [400, "Your request was missing a required header"],
  NoSuchBucket: [404, "The specified bucket does not exist"],
  NoSuchKey: [404, "The specified key does not exist."],
  NoSuchUpload: [404, "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."],
  NotImplemented: [501, "A header you provided implies functionality that is not implemented"],
  PreconditionFailed: [412, "At least one of the pre-conditions you specified did not hold"],
  RequestTimeTooSkewed: [403, "The difference between the request time and the server's time is too large."],
  SignatureDoesNotMatch: [403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."],
  XAmzContentSHA256Mismatch: [400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
  XMinioInvalidObjectName: [400, "Object name contains unsupported characters."],
  XMinioParentIsObject: [400, "Object-prefix is already an object, please choose a different object-prefix name."],
  XMinioAdminConfigBadJSON: [400, "JSON configuration provided is of incorrect format"],
  XMinioAdminConfigError: [400, "Configuration is invalid"],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof CATALOGUE;

/** An S3Error with the catalogue's status and message (a more precise message may replace it). */
export function s3Error(code: S3ErrorCode, message?: string, cause?: unknown): S3Error {
  const [httpStatus, defaultMessage] = CATALOGUE[code];
  return new S3Error(code, message ?? defaultMessage, { httpStatus, cause });
}
