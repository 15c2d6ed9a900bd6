import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** Validity of every certificate, counted from now. */
const DAYS = 2;
const DEFAULT_SERVER_ALT_NAMES = ["IP:127.0.0.1", "DNS:localhost"] as const;

/** A certificate and its private key: the PEM files and their text. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificates<Client extends string = string> {
  /** The temp folder holding every file. */
  readonly dir: string;
  /** The CA's certificate: path and PEM text. Trust it to trust `server`. */
  readonly caFile: string;
  readonly ca: string;
  /** CN=127.0.0.1, subjectAltName `serverAltNames`, extendedKeyUsage serverAuth, signed by the CA. */
  readonly server: TestCertificate;
  /** One per requested client CN (the key), extendedKeyUsage clientAuth, signed by the CA. */
  readonly clients: Readonly<Record<Client, TestCertificate>>;
  /** With `otherCa: true`: a self-signed CA that signed nothing here, for "a wrong CA is refused" tests. */
  readonly otherCa?: TestCertificate;
  /** Removes `dir` and everything in it. */
  dispose(): Promise<void>;
}

export interface TestCertificatesOptions<Client extends string = string> {
  /** Common names of client certificates to make (default none). */
  readonly clients?: readonly Client[];
  /** Also make an unrelated CA (default false). */
  readonly otherCa?: boolean;
  /** Key algorithm of every key: RSA 2048 or EC P-256 (default "rsa"). */
  readonly keyType?: "rsa" | "ec";
  /** The server certificate's subjectAltName entries (default `["IP:127.0.0.1", "DNS:localhost"]`). */
  readonly serverAltNames?: readonly string[];
}

/**
 * Makes a throw-away CA, a server certificate for 127.0.0.1 signed by it and, on request, client
 * certificates and an unrelated CA, with the `openssl` command, in a fresh temp folder.
 */
export async function makeTestCertificates<const Client extends string = string>(
  options: TestCertificatesOptions<Client> = {},
): Promise<TestCertificates<Client>> {
  const clientNames = options.clients ?? [];
  if (new Set(clientNames).size !== clientNames.length) throw new Error(`makeTestCertificates: client names repeat: ${clientNames.join(", ")}`);
  if (clientNames.some((name) => name === "")) throw new Error("makeTestCertificates: a client name is empty");
  const altNames = options.serverAltNames ?? DEFAULT_SERVER_ALT_NAMES;
  if (altNames.length === 0) throw new Error("makeTestCertificates: serverAltNames is empty");
  const keyType = options.keyType ?? "rsa";

  const dir = await mkdtemp(join(tmpdir(), "s3notify-certs-"));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    const config = join(dir, "openssl.cnf");
    await writeFile(config, opensslConfig(keyType, altNames));
    const openssl = async (...args: string[]): Promise<void> => {
      try {
        await execFileAsync("openssl", args, { cwd: dir });
      } catch (error) {
        const stderr = (error as { stderr?: unknown }).stderr;
        const detail = typeof stderr === "string" && stderr.trim() !== "" ? stderr.trim() : (error as Error).message;
        throw new Error(`openssl ${args.join(" ")} failed: ${detail}`);
      }
    };
    const newKey = (file: string): Promise<void> =>
      keyType === "ec"
        ? openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", file)
        : openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file);
    const selfSignedCa = async (name: string, commonName: string): Promise<TestCertificate> => {
      await openssl(
        "req",
        "-new",
        "-x509",
        "-config",
        config,
        "-extensions",
        "ca_ext",
        "-key",
        `${name}.key`,
        "-subj",
        subject(commonName),
        "-days",
        String(DAYS),
        "-out",
        `${name}.pem`,
      );
      return loaded(dir, name);
    };
    const signed = async (name: string, commonName: string, extensions: "server_ext" | "client_ext"): Promise<TestCertificate> => {
      await openssl("req", "-new", "-config", config, "-key", `${name}.key`, "-subj", subject(commonName), "-out", `${name}.csr`);
      const serial = `0x${randomBytes(16).toString("hex").replace(/^./, "1")}`; // random, so no serial file is needed
      await openssl(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        serial,
        "-days",
        String(DAYS),
        "-extfile",
        config,
        "-extensions",
        extensions,
        "-out",
        `${name}.pem`,
      );
      return loaded(dir, name);
    };

    const clientFiles = new Map<string, string>();
    for (const name of clientNames) {
      let file = `client-${name.replace(/[^A-Za-z0-9._-]/g, "_")}`;
      while ([...clientFiles.values()].includes(file)) file += "_";
      clientFiles.set(name, file);
    }
    // Key generation is the slow part (RSA): all keys at once, every one finished before a failure removes dir.
    const keys = ["ca", "server", ...clientFiles.values(), ...(options.otherCa ? ["other-ca"] : [])];
    const generated = await Promise.allSettled(keys.map((name) => newKey(`${name}.key`)));
    const failed = generated.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const ca = await selfSignedCa("ca", "s3notify test CA");
    const server = await signed("server", "127.0.0.1", "server_ext");
    const clients: Record<string, TestCertificate> = {};
    for (const [name, file] of clientFiles) clients[name] = await signed(file, name, "client_ext");
    const otherCa = options.otherCa ? await selfSignedCa("other-ca", "s3notify other test CA") : undefined;
    return {
      dir,
      caFile: ca.certFile,
      ca: ca.cert,
      server,
      clients: clients as Record<Client, TestCertificate>,
      ...(otherCa ? { otherCa } : {}),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

function opensslConfig(keyType: "rsa" | "ec", altNames: readonly string[]): string {
  const leafKeyUsage = keyType === "ec" ? "critical,digitalSignature" : "critical,digitalSignature,keyEncipherment";
  return [
    "[req]",
    "distinguished_name = dn",
    "[dn]",
    "[ca_ext]",
    "basicConstraints = critical,CA:TRUE",
    "keyUsage = critical,keyCertSign,cRLSign",
    "subjectKeyIdentifier = hash",
    "[server_ext]",
    "basicConstraints = critical,CA:FALSE",
    `keyUsage = ${leafKeyUsage}`,
    "extendedKeyUsage = serverAuth",
    `subjectAltName = ${altNames.join(",")}`,
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid,issuer",
    "[client_ext]",
    "basicConstraints = critical,CA:FALSE",
    `keyUsage = ${leafKeyUsage}`,
    "extendedKeyUsage = clientAuth",
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid,issuer",
    "",
  ].join("\n");
}

/** `-subj` text for one CN; `/`, `+` and `\` are escaped. */
function subject(commonName: string): string {
  return `/CN=${commonName.replace(/[\\/+]/g, (character) => `\\${character}`)}`;
}

async function loaded(dir: string, name: string): Promise<TestCertificate> {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: await readFile(certFile, "utf8"), key: await readFile(keyFile, "utf8") };
}
