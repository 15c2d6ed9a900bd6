import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

export type SaslMechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

export interface SaslCredentials {
  readonly mechanism: SaslMechanism;
  readonly username: string;
  readonly password: string;
}

/** One SASL exchange step: the bytes to answer with, whether it finished, and an error when it failed. */
export interface SaslStep {
  readonly reply: Buffer;
  readonly done: boolean;
  readonly error?: string;
}

/** The server side of one SASL exchange (PLAIN or SCRAM, RFC 4616 / RFC 5802). */
export class SaslServerSession {
  private scram: { clientFirstBare: string; serverFirst: string; nonce: string; salt: Buffer } | undefined;
  private static readonly iterations = 4096;

  constructor(private readonly credentials: SaslCredentials) {}

  step(message: Buffer): SaslStep {
    return this.credentials.mechanism === "PLAIN" ? this.plain(message) : this.scramStep(message.toString("utf8"));
  }

  private plain(message: Buffer): SaslStep {
    const [, username, password] = message.toString("utf8").split("\0");
    const ok = username === this.credentials.username && password === this.credentials.password;
    return ok ? { reply: Buffer.alloc(0), done: true } : { reply: Buffer.alloc(0), done: true, error: "Authentication failed: Invalid username or password" };
  }

  private scramStep(message: string): SaslStep {
    const algorithm = this.credentials.mechanism === "SCRAM-SHA-256" ? "sha256" : "sha512";
    if (this.scram === undefined) {
      const clientFirstBare = message.replace(/^[^,]*,[^,]*,/, "");
      const attributes = parseAttributes(clientFirstBare);
      if (attributes.n !== this.credentials.username)
        return { reply: Buffer.alloc(0), done: true, error: "Authentication failed: Invalid username or password" };
      const nonce = `${attributes.r ?? ""}${randomBytes(12).toString("base64url")}`;
      const salt = randomBytes(16);
      const serverFirst = `r=${nonce},s=${salt.toString("base64")},i=${SaslServerSession.iterations}`;
      this.scram = { clientFirstBare, serverFirst, nonce, salt };
      return { reply: Buffer.from(serverFirst), done: false };
    }
    const { clientFirstBare, serverFirst, nonce, salt } = this.scram;
    const attributes = parseAttributes(message);
    const withoutProof = message.slice(0, message.lastIndexOf(",p="));
    const hashLength = algorithm === "sha256" ? 32 : 64;
    const saltedPassword = pbkdf2Sync(this.credentials.password, salt, SaslServerSession.iterations, hashLength, algorithm);
    const clientKey = createHmac(algorithm, saltedPassword).update("Client Key").digest();
    const storedKey = createHash(algorithm).update(clientKey).digest();
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = createHmac(algorithm, storedKey).update(authMessage).digest();
    const proof = Buffer.from(attributes.p ?? "", "base64");
    const recoveredKey = Buffer.alloc(clientSignature.length);
    for (let index = 0; index < recoveredKey.length; index++) recoveredKey[index] = (proof[index] ?? 0) ^ (clientSignature[index] as number);
    const recoveredStoredKey = createHash(algorithm).update(recoveredKey).digest();
    if (attributes.r !== nonce || proof.length !== clientSignature.length || !timingSafeEqual(recoveredStoredKey, storedKey)) {
      return {
        reply: Buffer.alloc(0),
        done: true,
        error: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.credentials.mechanism}`,
      };
    }
    const serverKey = createHmac(algorithm, saltedPassword).update("Server Key").digest();
    const serverSignature = createHmac(algorithm, serverKey).update(authMessage).digest("base64");
    return { reply: Buffer.from(`v=${serverSignature}`), done: true };
  }
}

function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const part of text.split(",")) {
    const separator = part.indexOf("=");
    if (separator > 0) attributes[part.slice(0, separator)] = part.slice(separator + 1);
  }
  return attributes;
}
