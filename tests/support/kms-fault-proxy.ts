import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A proxy in front of moto that answers chosen KMS calls with an AWS error instead of forwarding them: by
 * default ThrottlingException, as AWS KMS does when the account's request quota is used up. Point
 * AWS_ENDPOINT_URL_KMS at `endpoint`. Faults are taken from `failNext` first, then `failFraction`.
 */
export interface KmsFault {
  /** AWS error name sent as `__type`; ThrottlingException unless said otherwise. */
  type?: string;
  status?: number;
  message?: string;
  /** Only these operations (e.g. "CreateKey"); every operation when absent. */
  operations?: string[];
}

export interface ProxiedCall {
  operation: string;
  /** "forwarded", or the error type the proxy answered with. */
  outcome: string;
}

export interface KmsFaultProxy {
  endpoint: string;
  /** Fail the next `count` matching calls. */
  failNext(count: number, fault?: KmsFault): void;
  /** Fail each matching call with probability `fraction`, from a seeded generator so a run repeats. */
  failFraction(fraction: number, fault?: KmsFault, seed?: number): void;
  clear(): void;
  calls(): ProxiedCall[];
  /** When each call of calls() arrived (ms since the epoch), for measuring the client's backoff. */
  times(): number[];
  stop(): Promise<void>;
}

const THROTTLING: Required<Omit<KmsFault, "operations">> = {
  type: "ThrottlingException",
  status: 400,
  message: "Rate exceeded",
};

/** mulberry32: a tiny seeded generator, so "10% of calls" fails the same calls on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function startKmsFaultProxy(target: string): Promise<KmsFaultProxy> {
  const upstream = new URL(target);
  let next: { left: number; fault: KmsFault } | undefined;
  let fraction: { p: number; fault: KmsFault; random: () => number } | undefined;
  const log: ProxiedCall[] = [];
  const arrivals: number[] = [];

  const matches = (fault: KmsFault, operation: string): boolean =>
    fault.operations === undefined || fault.operations.includes(operation);

  function faultFor(operation: string): KmsFault | undefined {
    if (next && next.left > 0 && matches(next.fault, operation)) {
      next.left -= 1;
      return next.fault;
    }
    if (fraction && matches(fraction.fault, operation) && fraction.random() < fraction.p) return fraction.fault;
    return undefined;
  }

  const server = http.createServer((req, res) => {
    const arrived = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      // The JSON protocol names the operation in X-Amz-Target: "TrentService.CreateKey".
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.slice(target.indexOf(".") + 1) || `${req.method} ${req.url}`;
      const fault = faultFor(operation);
      if (fault) {
        const f = { ...THROTTLING, ...fault };
        log.push({ operation, outcome: f.type });
        arrivals.push(arrived);
        res.writeHead(f.status, { "Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault-proxy" });
        res.end(JSON.stringify({ __type: f.type, message: f.message }));
        return;
      }
      log.push({ operation, outcome: "forwarded" });
      arrivals.push(arrived);
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on("error", () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext: (count, fault = {}) => {
      next = { left: count, fault };
    },
    failFraction: (p, fault = {}, seed = 1) => {
      fraction = { p, fault, random: seeded(seed) };
    },
    clear: () => {
      next = undefined;
      fraction = undefined;
    },
    calls: () => [...log],
    times: () => [...arrivals],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
