// The emulator's fault table (emulator/http/faults.ts): parsing the control body, probabilistic firing from a
// seed, the answers drawn, limits, and the order in which matching faults are tried.
import { ApiError } from "../../../emulator/errors";
import { type FaultAnswer, Faults, parseFault, seededRandom } from "../../../emulator/http/faults";

/** Which of `n` matching GETs the faults fire on, and what they answer. */
function run(faults: Faults, n: number, path = "/apps/acme-api"): (FaultAnswer | undefined)[] {
  return Array.from({ length: n }, () => faults.take("GET", path)?.answer);
}

function faultsOf(...bodies: Record<string, unknown>[]): Faults {
  const faults = new Faults();
  for (const b of bodies) faults.add(parseFault(b));
  return faults;
}

describe("parseFault", () => {
  const invalid: [string, Record<string, unknown>, string][] = [
    ["no path", { status: 500 }, "path (a regular expression) is required."],
    ["bad regular expression", { path: "(", status: 500 }, "path is not a valid regular expression: ("],
    ["no answer", { path: "." }, "A fault needs a status (400-599), drop: true, or statuses."],
    ["a success status", { path: ".", status: 200 }, "A fault needs a status (400-599), drop: true, or statuses."],
    [
      "empty statuses",
      { path: ".", statuses: [] },
      'statuses must be a non-empty list of error statuses (400-599) and "drop".',
    ],
    [
      "unknown answer",
      { path: ".", statuses: [500, "hang"] },
      'statuses must be a non-empty list of error statuses (400-599) and "drop".',
    ],
    ["rate 0", { path: ".", status: 500, rate: 0 }, "rate must be a number above 0 and at most 1."],
    ["rate above 1", { path: ".", status: 500, rate: 1.5 }, "rate must be a number above 0 and at most 1."],
    ["rate as text", { path: ".", status: 500, rate: "10%" }, "rate must be a number above 0 and at most 1."],
    ["fractional seed", { path: ".", status: 500, rate: 0.5, seed: 1.5 }, "seed must be an integer."],
    ["times 0", { path: ".", status: 500, times: 0 }, "times must be a whole number of at least 1."],
    [
      "429 after the work",
      { path: ".", statuses: [500, 429], after: true },
      "after: true cannot answer 429: a 429 tells the client nothing was done.",
    ],
  ];
  test.each(invalid)("refuses %s", (_what, body, message) => {
    expect(() => parseFault(body)).toThrow(new ApiError("invalid_params", message));
  });

  test("a plain fault fires once; a probabilistic one has no limit unless given; GET shows both", () => {
    const faults = faultsOf(
      { method: "get", path: "^/apps", status: 503, retryAfter: 2 },
      { path: "^/postgres", statuses: [500, "drop"], rate: 0.1, seed: 9, after: true },
      { path: "^/client", drop: true, rate: 0.5, times: 3 },
    );
    expect(faults.list()).toEqual([
      { method: "GET", path: "^\\/apps", answers: [503], retryAfter: 2, rate: 1, after: false, times: 1, fired: 0 },
      { path: "^\\/postgres", answers: [500, "drop"], rate: 0.1, seed: 9, after: true, times: null, fired: 0 },
      { path: "^\\/client", answers: ["drop"], rate: 0.5, after: false, times: 3, fired: 0 },
    ]);
  });
});

describe("Faults.take", () => {
  test("rate 0.1 fires on about a tenth of matching requests, and the same seed picks the same ones", () => {
    const body = { path: "^/apps/", statuses: [429, 500, 502, 503, "drop"], rate: 0.1, seed: 42 };
    const first = run(faultsOf(body), 10_000);
    const fired = first.filter((a) => a !== undefined);
    // 10,000 draws at p = 0.1: the standard deviation is 30, so 850..1150 is five of them either side.
    expect(fired.length).toBeGreaterThan(850);
    expect(fired.length).toBeLessThan(1150);
    expect(new Set(fired)).toEqual(new Set([429, 500, 502, 503, "drop"]));
    expect(run(faultsOf(body), 10_000)).toEqual(first);
    expect(run(faultsOf({ ...body, seed: 43 }), 10_000)).not.toEqual(first);
  });

  test("requests the fault does not match draw nothing, so they do not shift which requests fail", () => {
    const body = { method: "POST", path: "/ip-rules$", status: 503, rate: 0.3, seed: 5 };
    const plain = faultsOf(body);
    const expected = Array.from({ length: 200 }, () => plain.take("POST", "/x/ip-rules")?.answer);
    const mixed = faultsOf(body);
    const seen: (FaultAnswer | undefined)[] = [];
    for (let i = 0; i < 200; i++) {
      expect(mixed.take("GET", "/x/ip-rules")).toBeUndefined();
      expect(mixed.take("POST", "/x/credentials")).toBeUndefined();
      seen.push(mixed.take("POST", "/x/ip-rules")?.answer);
    }
    expect(seen).toEqual(expected);
    expect(expected.filter((a) => a === 503).length).toBeGreaterThan(0);
  });

  test("times bounds a probabilistic fault, which then leaves the list", () => {
    const faults = faultsOf({ path: ".", status: 500, rate: 0.5, seed: 3, times: 4 });
    expect(run(faults, 200).filter((a) => a === 500)).toHaveLength(4);
    expect(faults.list()).toEqual([]);
  });

  test("an unlimited fault counts its firings and stays", () => {
    const faults = faultsOf({ path: ".", status: 502, rate: 0.2, seed: 11 });
    const fired = run(faults, 500).filter((a) => a !== undefined).length;
    expect(faults.list()).toEqual([expect.objectContaining({ answers: [502], rate: 0.2, times: null, fired })]);
  });

  test("a probabilistic fault that draws 'not this time' lets the next matching fault fire", () => {
    const faults = faultsOf({ path: ".", status: 500, rate: 0.5, seed: 1 }, { path: ".", status: 503, times: 1000 });
    const answers = run(faults, 1000);
    expect(answers.filter((a) => a === undefined)).toEqual([]);
    expect(answers.filter((a) => a === 500).length).toBeGreaterThan(400);
    expect(answers.filter((a) => a === 503).length).toBeGreaterThan(400);
  });
});

test("seededRandom stays in [0, 1) and differs between nearby seeds", () => {
  const draws = (seed: number): number[] => {
    const r = seededRandom(seed);
    return Array.from({ length: 1000 }, () => r());
  };
  for (const seed of [0, 1, 2, -7, 2 ** 31]) {
    for (const x of draws(seed)) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  }
  expect(draws(1).slice(0, 5)).not.toEqual(draws(2).slice(0, 5));
  expect(draws(0)).toEqual(draws(0));
});
