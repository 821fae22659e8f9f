import * as crypto from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";

// PostgreSQL protocol codes (protocol.sgml, "Message Formats").
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
/** Source address of the front door's mTLS relays to PostgreSQL; pg_hba admits mTLS databases only from it. */
export const ENDPOINT_SOURCE_ADDRESS = "127.0.0.2";
/** Source address of the transparent pipe: pg_hba's ordinary rules (hostssl from 127.0.0.1) apply to it. */
const PIPE_SOURCE_ADDRESS = "127.0.0.1";

/** What the endpoint needs to know about the client to decide; answered fresh for every connection. */
export interface ClientFacts {
  remoteAddress: string;
  /** The client's certificate, when it sent one. */
  certificate?: crypto.X509Certificate;
}

/** The database's mTLS material and rules, as they stand when a connection arrives. */
export interface MtlsGate {
  serverKeyPem: string;
  serverCertPem: string;
  /** Sent to clients as the acceptable CA list. */
  clientCaPem: string;
  /** A refusal message, or undefined to let the connection through to PostgreSQL. */
  admit: (facts: ClientFacts) => string | undefined;
}

export interface EndpointOptions {
  port: number;
  /**
   * The port of the database's own cluster, asked per connection (a restart gives the cluster a new one);
   * undefined once the database is gone.
   */
  upstreamPort: () => number | undefined;
  /**
   * Asked once per connection before any byte is read: the mTLS gate while the database's mTLS is on, undefined
   * for a transparent pipe. Async so the caller can first bring pg_hba in line with the answer.
   */
  gate: () => Promise<MtlsGate | undefined>;
}

/** A PostgreSQL ErrorResponse: severity FATAL, SQLSTATE 28000 (invalid_authorization_specification). */
export function fatalError(message: string): Buffer {
  const fields = Buffer.concat([
    field("S", "FATAL"),
    field("V", "FATAL"),
    field("C", "28000"),
    field("M", message),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write("E", 0, "latin1");
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

function field(code: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(code, "latin1"), Buffer.from(value, "utf8"), Buffer.from([0])]);
}

/**
 * One database's front door: a loopback port of its own from provisioning to deletion, so its URLs never change
 * (on Heroku each database has its own host). Each connection is handled by the database's state at that moment:
 * - mTLS on: speaks the start of the PostgreSQL protocol (SSLRequest), terminates TLS with a server certificate
 *   from the database's own CA, asks for a client certificate, applies the database's rules (certificate issued
 *   for it and not revoked, address in an Authorized IP rule) and then relays the session to the real PostgreSQL
 *   from ENDPOINT_SOURCE_ADDRESS, where the password is checked.
 * - otherwise: a raw TCP pipe to PostgreSQL, so its own TLS (and Enhanced Certificates' verify-full) is end to end.
 */
export class FrontDoor {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** The TLS context of the last mTLS record seen; re-enabling mTLS makes new CAs, hence a new context. */
  private context: { certPem: string; value: tls.SecureContext } | undefined;

  constructor(private readonly opts: EndpointOptions) {
    this.server = net.createServer((socket) => void this.accept(socket));
  }

  get port(): number {
    return this.opts.port;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.opts.port, "127.0.0.1", () => {
        this.server.removeListener("error", reject);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }

  /** The socket stays paused (no data listener yet) while the gate is asked, so no client byte is lost. */
  private async accept(raw: net.Socket): Promise<void> {
    this.track(raw);
    let gate: MtlsGate | undefined;
    try {
      gate = await this.opts.gate();
    } catch (err) {
      raw.end(fatalError(`the database's front door failed: ${(err as Error).message}`));
      return;
    }
    if (raw.destroyed) return;
    if (gate) this.negotiate(raw, gate);
    else this.relay(raw, PIPE_SOURCE_ADDRESS);
  }

  private negotiate(raw: net.Socket, gate: MtlsGate): void {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 8) {
        const length = buffered.readInt32BE(0);
        const code = buffered.readInt32BE(4);
        if (length === 8 && code === GSSENC_REQUEST) {
          buffered = buffered.subarray(8);
          raw.write("N");
          continue;
        }
        raw.removeListener("data", onData);
        if (length === 8 && code === SSL_REQUEST) {
          // Built before answering "S", so a broken certificate reaches the client as an error instead of
          // escaping this socket's handler and taking the whole emulator down.
          let context: tls.SecureContext;
          try {
            context = this.secureContext(gate);
          } catch (err) {
            raw.end(fatalError(`the database's mTLS endpoint failed: ${(err as Error).message}`));
            return;
          }
          raw.pause();
          raw.write("S");
          this.startTls(raw, gate, context);
        } else {
          raw.end(fatalError("mTLS is enabled for this database: connections must use SSL (sslmode=verify-ca)"));
        }
        return;
      }
    };
    raw.on("data", onData);
  }

  private secureContext(gate: MtlsGate): tls.SecureContext {
    if (this.context?.certPem !== gate.serverCertPem) {
      const value = tls.createSecureContext({ key: gate.serverKeyPem, cert: gate.serverCertPem, ca: gate.clientCaPem });
      this.context = { certPem: gate.serverCertPem, value };
    }
    return this.context.value;
  }

  private startTls(raw: net.Socket, gate: MtlsGate, secureContext: tls.SecureContext): void {
    const secure = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext,
      requestCert: true,
      // The rules below decide, so that a refusal reaches the client as a readable PostgreSQL error.
      rejectUnauthorized: false,
    });
    this.track(secure);
    secure.once("secure", () => {
      const certificate = secure.getPeerX509Certificate();
      const refusal = gate.admit({
        remoteAddress: normalizeAddress(raw.remoteAddress ?? ""),
        ...(certificate ? { certificate } : {}),
      });
      // Wait for the StartupMessage before answering: libpq reads the answer after sending it.
      secure.once("data", (startup: Buffer) => {
        if (refusal !== undefined) {
          secure.end(fatalError(refusal));
          return;
        }
        secure.pause();
        this.relay(secure, ENDPOINT_SOURCE_ADDRESS, startup);
      });
    });
  }

  /**
   * Pipes the client to PostgreSQL from `localAddress` (pg_hba tells the two modes apart by it); `first` is what
   * the client already sent. After mTLS the hop is plain TCP on loopback: libpq binds SCRAM to the TLS session it
   * sees (SCRAM-SHA-256-PLUS, tls-server-end-point), which is the front door's, so PostgreSQL must not offer
   * channel binding on this leg.
   */
  private relay(client: net.Socket, localAddress: string, first?: Buffer): void {
    const port = this.opts.upstreamPort();
    if (port === undefined) {
      client.end(fatalError("the database does not exist"));
      return;
    }
    const upstream = net.connect({ host: "127.0.0.1", port, localAddress });
    this.track(upstream);
    upstream.once("error", (err) => {
      client.end(fatalError(`the database's front door could not reach PostgreSQL: ${err.message}`));
    });
    upstream.once("connect", () => {
      if (first) upstream.write(first);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.once("close", () => client.destroy());
    client.once("close", () => upstream.destroy());
  }
}

function normalizeAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}
