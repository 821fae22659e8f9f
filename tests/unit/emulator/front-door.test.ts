import * as net from "node:net";
import { freePort } from "../../../emulator/net";
import { FrontDoor } from "../../../emulator/mtls/endpoint";

/** Sends an SSLRequest (protocol.sgml, "SSLRequest") and resolves with the first byte of the answer. */
function sslRequest(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      const request = Buffer.alloc(8);
      request.writeInt32BE(8, 0);
      request.writeInt32BE(80877103, 4);
      socket.write(request);
    });
    socket.once("data", (chunk: Buffer) => {
      resolve(chunk.subarray(0, 1).toString("latin1"));
      socket.destroy();
    });
    socket.once("error", reject);
  });
}

// A certificate the TLS stack cannot load must cost one refused connection, not the emulator process.
test("an unusable mTLS certificate answers with an error and the front door keeps serving", async () => {
  const port = await freePort();
  const door = new FrontDoor({
    port,
    upstreamPort: () => 1,
    gate: async () => ({
      serverKeyPem: "not a key",
      serverCertPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      clientCaPem: "not a certificate",
      admit: () => undefined,
    }),
  });
  await door.listen();
  try {
    expect(await sslRequest(port)).toBe("E"); // an ErrorResponse, not "S"
    expect(await sslRequest(port)).toBe("E"); // still listening
  } finally {
    await door.close();
  }
});
