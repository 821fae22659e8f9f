import { behindByAmount, type DatabaseInfo, followingOf } from "../../../provider/heroku/databases";

const info = (extra: Partial<DatabaseInfo>, rows: [string, string][] = []): DatabaseInfo => ({
  addon_id: "id",
  name: "postgresql-x",
  info: rows.map(([name, value]) => ({ name, values: [value] })),
  ...extra,
});

describe("followingOf", () => {
  it("is undefined when neither `following` nor a Following row says the database follows", () => {
    expect(followingOf(info({ following: null }))).toBeUndefined();
    expect(followingOf(info({}))).toBeUndefined();
  });
  it("names the leader by the leader field where Heroku gives it", () => {
    expect(
      followingOf(info({ following: "postgres://10.0.0.1:5432/d1", leader: "postgresql-old" }, [["Following", "x"]])),
    ).toBe("postgresql-old");
  });
  it("else by the row or the field, never with a user or password", () => {
    expect(followingOf(info({ following: "postgres://u:secret@10.0.0.1:5432/d1" }))).toBe(
      "postgres://10.0.0.1:5432/d1",
    );
    expect(followingOf(info({}, [["Following", "HEROKU_POSTGRESQL_RED"]]))).toBe("HEROKU_POSTGRESQL_RED");
  });
});

describe("behindByAmount", () => {
  it.each<[string, number | undefined]>([
    ["0 commits", 0],
    ["0 bytes", 0],
    ["12 kB", 12],
    ["unknown", undefined],
  ])("%s", (row, amount) => {
    expect(behindByAmount(info({}, [["Behind By", row]]))).toBe(amount);
  });
  it("is undefined without the row", () => {
    expect(behindByAmount(info({}))).toBeUndefined();
  });
});
