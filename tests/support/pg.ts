/**
 * node-postgres 8 treats `sslmode=require` as verify-full unless `uselibpqcompat=true` is given; Heroku's URLs
 * mean libpq's semantics (encrypt, verify only with verify-ca/verify-full), so clients here ask for them.
 */
export function libpqUrl(url: string): string {
  return url + (url.includes("?") ? "&" : "?") + "uselibpqcompat=true";
}
