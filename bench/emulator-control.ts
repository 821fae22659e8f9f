// The bench's handle on the emulator: its control API (emulator/routes/control.ts), a clean state with the
// chosen delays, the request log, and an existing database made the way a user makes one (Platform API).
import type { Services } from "../tests/support/services";
import { ACME_PRIVATE_APP, ACME_TOKEN } from "../tests/support/services";
import type { Delays, LoggedRequest } from "./measure";

export async function control<T>(services: Services, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${services.emulator.url}/__emulator${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} /__emulator${route}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A clean emulator with these delays and an empty request log. */
export async function resetEmulator(services: Services, delays: Delays): Promise<void> {
  await control(services, "POST", "/reset");
  const speeds: Record<string, unknown> = { "addon-deprovision": "immediate" };
  for (const [machine, delay] of Object.entries(delays)) speeds[machine] = { ms: delay };
  await control(services, "PUT", "/speed", speeds);
  await clearRequests(services);
}

export const requests = (services: Services): Promise<LoggedRequest[]> =>
  control<LoggedRequest[]>(services, "GET", "/requests");

export const clearRequests = (services: Services): Promise<void> => control(services, "DELETE", "/requests");

/** The emulator's state, for notice delays (passwords and keys redacted by the emulator). */
export const emulatorState = <T>(services: Services): Promise<T> => control<T>(services, "GET", "/state");

const platformHeaders = {
  authorization: `Bearer ${ACME_TOKEN}`,
  accept: "application/vnd.heroku+json; version=3",
  "content-type": "application/json",
};

/**
 * A Private database that exists before the measured runs start, as `heroku addons:create --wait` leaves it:
 * created through the Platform API and read until `provisioned`. Answers its add-on name.
 */
export async function createDatabase(services: Services, app = ACME_PRIVATE_APP): Promise<string> {
  const base = services.emulator.url;
  const res = await fetch(`${base}/apps/${app}/addons`, {
    method: "POST",
    headers: platformHeaders,
    body: JSON.stringify({ plan: "heroku-postgresql:private-0" }),
  });
  if (!res.ok) throw new Error(`creating the database: ${res.status} ${await res.text()}`);
  const addon = (await res.json()) as { id: string; name: string };
  for (;;) {
    const read = await fetch(`${base}/apps/${app}/addons/${addon.id}`, { headers: platformHeaders });
    const { state } = (await read.json()) as { state: string };
    if (state === "provisioned") return addon.name;
    if (state !== "provisioning") throw new Error(`database ${addon.name} ended ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
