import { ProviderError } from "../shared/errors";

/** The timestamps of mTLS certificates and IP rules, in both formats Heroku has sent. */
const RUBY_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;

/**
 * `2024-07-31 01:16:17 +0000` (Ruby Time#to_s, what Heroku sends now) or ISO-8601 such as
 * `2020-09-03T22:00:20.926+00:00` (the 2020 captures) -> `2020-09-03T22:00:20.926Z`. Anything else throws,
 * so a third format is noticed rather than read wrong.
 */
export function parseHerokuTimestamp(text: string): string {
  const ruby = RUBY_TIME.exec(text);
  const iso = ruby ? undefined : ISO_TIME.exec(text);
  const fields = ruby
    ? { date: ruby.slice(1, 7), fraction: "", zulu: false, sign: ruby[7], offH: ruby[8], offM: ruby[9] }
    : iso
      ? {
          date: iso.slice(1, 7),
          fraction: iso[7] ?? "",
          zulu: iso[8] === "Z",
          sign: iso[9],
          offH: iso[10],
          offM: iso[11],
        }
      : undefined;
  if (!fields) throw new ProviderError(`unrecognised timestamp ${JSON.stringify(text)}`);
  const [year, month, day, hour, minute, second] = fields.date.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ms = Number(fields.fraction.padEnd(3, "0").slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(local);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new ProviderError(`timestamp ${JSON.stringify(text)} is not a real date and time`);
  }
  const offsetMinutes = fields.zulu
    ? 0
    : (fields.sign === "-" ? -1 : 1) * (Number(fields.offH) * 60 + Number(fields.offM));
  return new Date(local - offsetMinutes * 60_000).toISOString();
}

/** As parseHerokuTimestamp, but `null`/missing (a pending certificate's `expires_at`) gives undefined. */
export function parseOptionalTimestamp(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value === "" ? undefined : parseHerokuTimestamp(value);
}
