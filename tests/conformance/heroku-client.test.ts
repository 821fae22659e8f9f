// The emulator against heroku-client, Heroku's own Node.js Platform API client (written by Heroku, not here): it
// sends Basic auth with an empty user, a Range header on every request, and follows Next-Range by itself, so this
// checks the wire contract rather than our own client's habits.
import Heroku from "heroku-client";
import { ACME_TOKEN, GLOBEX_TOKEN, startServices, type Services } from "../support/services";

jest.setTimeout(120_000);

let services: Services;
let acme: Heroku;

interface HerokuError {
  statusCode: number;
  body: { id: string; message: string };
}

beforeAll(async () => {
  services = await startServices();
  acme = new Heroku({ token: ACME_TOKEN, host: services.emulator.url });
  await fetch(`${services.emulator.url}/__emulator/speed`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ "addon-provision": { polls: 1 }, "addon-deprovision": "immediate" }),
  });
});

afterAll(async () => {
  await services?.stop();
});

test("lists the team's apps and nothing of another team", async () => {
  const apps = (await acme.get("/apps")) as { name: string }[];
  expect(apps.map((a) => a.name)).toContain("acme-api");
  expect(apps.map((a) => a.name)).not.toContain("globex-api");
});

test("creates, reads, lists and destroys a Postgres add-on with its config var", async () => {
  const created = (await acme.post("/apps/acme-api/addons", {
    body: { plan: "heroku-postgresql:private-0", config: { "enhanced-certificates-beta": true } },
  })) as { id: string; name: string; state: string };
  expect(created.state).toBe("provisioning");
  const provisioned = (await acme.get(`/apps/acme-api/addons/${created.name}`)) as { state: string };
  expect(provisioned.state).toBe("provisioned");

  const addons = (await acme.get("/apps/acme-api/addons")) as { id: string }[];
  expect(addons.map((a) => a.id)).toContain(created.id);
  const vars = (await acme.get("/apps/acme-api/config-vars")) as Record<string, string>;
  expect(vars.DATABASE_URL).toMatch(/^postgres:\/\/.*sslmode=verify-full/);

  // The Data API through the same client: Basic auth, as heroku-client sends it.
  const info = (await acme.get(`/client/v11/databases/${created.id}`)) as {
    info: { name: string; values: string[] }[];
  };
  expect(info.info.find((r) => r.name === "Enhanced Certificates")?.values).toEqual(["Enabled"]);

  await acme.delete(`/apps/acme-api/addons/${created.id}`);
  await expect(acme.get(`/apps/acme-api/addons/${created.id}`)).rejects.toMatchObject({ statusCode: 404 });
});

test("errors carry Heroku's {id, message} bodies", async () => {
  const bad = new Heroku({ token: "not-a-token", host: services.emulator.url });
  const unauthorized = (await bad.get("/apps").catch((e: unknown) => e)) as HerokuError;
  expect(unauthorized.statusCode).toBe(401);
  expect(unauthorized.body.id).toBe("unauthorized");

  const globex = new Heroku({ token: GLOBEX_TOKEN, host: services.emulator.url });
  const forbidden = (await globex.get("/apps/acme-api").catch((e: unknown) => e)) as HerokuError;
  expect(forbidden.statusCode).toBe(403);
  expect(forbidden.body.id).toBe("forbidden");
});

test("answers the app lists the Heroku CLI's `apps` command reads", async () => {
  const mine = (await acme.get("/users/~/apps")) as { name: string }[];
  const acmeApps = ["acme-api", "acme-eu", "acme-fir-api", "acme-hobby", "acme-reports", "acme-vault"];
  expect(mine.map((a) => a.name).sort()).toEqual(acmeApps);
  expect(((await acme.get("/teams/acme/apps")) as unknown[]).length).toBe(acmeApps.length);
  expect((await acme.get("/teams/globex/apps")) as unknown[]).toEqual([]);
});

interface ResolvedAttachment {
  name: string;
  namespace: string | null;
  config_vars?: string[];
  addon: { name: string; plan?: { name: string }; config_vars?: unknown };
}

describe("what the Heroku CLI asks through the same client", () => {
  const inclusion = { "Accept-Inclusion": "addon:plan,config_vars" };
  let name: string;

  beforeAll(async () => {
    const created = (await acme.post("/apps/acme-reports/addons", {
      body: { plan: { name: "heroku-postgresql:private-0" }, attachment: {} },
    })) as { name: string };
    name = created.name;
    await acme.get(`/apps/acme-reports/addons/${name}`); // one poll: provisioned
    await acme.post("/addon-attachments", {
      body: { addon: { name }, app: { name: "acme-reports" }, name: "PRIMARY" },
    });
  });

  test.each([
    ["the add-on name", () => name, ["DATABASE", "PRIMARY"]],
    ["the attachment name", () => "PRIMARY", ["PRIMARY"]],
    ["the config var", () => "DATABASE_URL", ["DATABASE"]],
  ])("POST /actions/addon-attachments/resolve by %s", async (_, identifier, expected) => {
    const found = (await acme.post("/actions/addon-attachments/resolve", {
      body: { addon_attachment: identifier(), app: "acme-reports" },
      headers: inclusion,
    })) as ResolvedAttachment[];
    expect(found.map((a) => a.name).sort()).toEqual(expected);
    for (const a of found) {
      // config_vars belong to the attachment (the CLI's getConfigVarNameFromAttachment), the plan to its add-on.
      expect(a.config_vars).toEqual([`${a.name}_URL`]);
      expect(a.addon.config_vars).toBeUndefined();
      expect(a.addon.plan?.name).toBe("heroku-postgresql:private-0");
    }
  });

  test("POST /actions/addon-attachments/resolve of an unknown name answers 404 not_found", async () => {
    const err = (await acme
      .post("/actions/addon-attachments/resolve", { body: { addon_attachment: "NOPE", app: "acme-reports" } })
      .catch((e: unknown) => e)) as HerokuError;
    expect(err.statusCode).toBe(404);
    expect(err.body.id).toBe("not_found");
  });

  test("GET /apps/{app}/addon-attachments with Accept-Inclusion carries each attachment's config_vars", async () => {
    const list = (await acme.get("/apps/acme-reports/addon-attachments", {
      headers: inclusion,
    })) as ResolvedAttachment[];
    const byName = Object.fromEntries(list.map((a) => [a.name, a.config_vars]));
    expect(byName).toEqual({ DATABASE: ["DATABASE_URL"], PRIMARY: ["PRIMARY_URL"] });
  });

  test("GET /apps/{app}/releases newest first, as addons:attach reads it (Range: version ..; max=1, order=desc)", async () => {
    const newest = (await acme.get("/apps/acme-reports/releases", {
      headers: { Range: "version ..; max=1, order=desc" },
      partial: true,
    })) as { version: number; description: string; current: boolean }[];
    expect(newest).toEqual([
      expect.objectContaining({ version: 3, description: `Attach PRIMARY (@ref:${name})`, current: true }),
    ]);
    const all = (await acme.get("/apps/acme-reports/releases")) as { version: number }[];
    // heroku-client ranges every list on id, so the versions come in id order.
    expect(all.map((r) => r.version).sort()).toEqual([1, 2, 3]);
  });

  test("DELETE /addon-attachments/{id} makes a release and removes the config var", async () => {
    const att = (await acme.get("/apps/acme-reports/addon-attachments/PRIMARY")) as { id: string };
    await acme.delete(`/addon-attachments/${att.id}`);
    const vars = (await acme.get("/apps/acme-reports/config-vars")) as Record<string, string>;
    expect(vars.PRIMARY_URL).toBeUndefined();
    const newest = (await acme.get("/apps/acme-reports/releases/4")) as { description: string };
    expect(newest.description).toBe(`Detach PRIMARY (@ref:${name})`);
  });

  test("GET /client/v11/databases/{id}/bastion answers no bastion, so pg:psql connects directly", async () => {
    expect(await acme.get(`/client/v11/databases/${name}/bastion`)).toEqual({ host: null, private_key: null });
  });
});
