// The emulator's speed presets (emulator/machines/presets.ts) and Range paging on release versions
// (emulator/http/pagination.ts), as `heroku addons:attach` reads the newest release.
import { MACHINES } from "../../../emulator/machines/definitions";
import { presetSpeeds } from "../../../emulator/machines/presets";
import { paginate } from "../../../emulator/http/pagination";

const MINUTE = 60_000;

describe("presetSpeeds", () => {
  test("heroku: every machine timed, with the documented minutes", () => {
    const speeds = presetSpeeds("heroku");
    expect(Object.keys(speeds).sort()).toEqual(Object.keys(MACHINES).sort());
    expect(speeds.mtls).toEqual({ ms: 7.5 * MINUTE });
    expect(speeds["ip-rule"]).toEqual({ ms: 3 * MINUTE });
    expect(speeds["enhanced-certificates"]).toEqual({ ms: 15 * MINUTE });
    expect(speeds["addon-provision"]).toEqual({ ms: 5 * MINUTE });
    for (const s of Object.values(speeds)) expect(s).toEqual({ ms: expect.any(Number) as number });
  });

  test("the factor scales timed speeds only", () => {
    expect(presetSpeeds("heroku", 0.01).mtls).toEqual({ ms: 4500 });
    expect(presetSpeeds("heroku", 0.01)["addon-provision"]).toEqual({ ms: 3000 });
    expect(Object.values(presetSpeeds("immediate", 0.5))).toEqual(Object.keys(MACHINES).map(() => "immediate"));
    expect(presetSpeeds("standalone", 2)["addon-provision"]).toEqual({ ms: 3000 });
  });

  test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses factor %p", (factor) => {
    expect(() => presetSpeeds("heroku", factor)).toThrow(`speed factor must be a number above 0, got ${factor}`);
  });
});

describe("paginate on version", () => {
  const releases = [1, 2, 9, 10, 11].map((version) => ({ id: `id-${12 - version}`, version }));

  test("Range: version ..; max=1, order=desc answers the newest release, numerically", () => {
    const page = paginate(releases, "version ..; max=1, order=desc", ["id", "version"]);
    expect(page.items).toEqual([{ id: "id-1", version: 11 }]);
    expect(page.status).toBe(206);
    expect(page.headers["Next-Range"]).toBe("version ]11..; max=1, order=desc");
    expect(page.headers["Accept-Ranges"]).toBe("id, version");
  });

  test("versions ascend as numbers (v10 after v9)", () => {
    const page = paginate(releases, "version 2..10", ["id", "version"]);
    expect(page.items.map((r) => (r as { version: number }).version)).toEqual([2, 9, 10]);
  });

  test("lists that do not page on version refuse it", () => {
    expect(() => paginate(releases, "version ..")).toThrow("Ranges on version are not supported; use id or name.");
  });
});
