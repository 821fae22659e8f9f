import * as crypto from "node:crypto";

/**
 * Attachment colours for HEROKU_POSTGRESQL_<COLOR>. Heroku's list is not public (docs/heroku-api.md 4.4); this fixed
 * list is used in order, first unused colour on the app wins.
 */
export const COLORS = [
  "AMBER",
  "AQUA",
  "BLACK",
  "BLUE",
  "BRONZE",
  "BROWN",
  "CHARCOAL",
  "COBALT",
  "COPPER",
  "CRIMSON",
  "CYAN",
  "GOLD",
  "GRAY",
  "GREEN",
  "IVORY",
  "JADE",
  "LIME",
  "MAROON",
  "MAUVE",
  "NAVY",
  "OLIVE",
  "ONYX",
  "ORANGE",
  "PINK",
  "PUCE",
  "PURPLE",
  "RED",
  "ROSE",
  "SILVER",
  "TEAL",
  "WHITE",
  "YELLOW",
];

const WORDS = [
  "angular",
  "aerodynamic",
  "clear",
  "colorful",
  "concentric",
  "contoured",
  "convex",
  "curly",
  "cylindrical",
  "defined",
  "flat",
  "fluffy",
  "infinite",
  "elliptical",
  "opaque",
  "parallel",
  "perpendicular",
  "rectangular",
  "round",
  "shaped",
  "silky",
  "slippery",
  "solid",
  "spherical",
  "sinuous",
  "symmetrical",
  "transparent",
  "triangular",
  "tubular",
  "vertical",
];

export const ADDON_NAME = /^[a-z][a-z0-9-]{2,59}$/;
export const ATTACHMENT_NAME = /^[A-Z][A-Z0-9_]{0,59}$/;

export function generateAddonName(taken: (name: string) => boolean): string {
  for (;;) {
    const word = WORDS[crypto.randomInt(WORDS.length)]!;
    const name = `postgresql-${word}-${crypto.randomInt(10000, 100000)}`;
    if (!taken(name)) return name;
  }
}

/** DATABASE for an app's first Postgres, then HEROKU_POSTGRESQL_<COLOR>. */
export function defaultAttachmentName(namesOnApp: Set<string>, firstOnApp: boolean): string {
  if (firstOnApp && !namesOnApp.has("DATABASE")) return "DATABASE";
  const color = COLORS.find((c) => !namesOnApp.has(`HEROKU_POSTGRESQL_${c}`));
  if (color) return `HEROKU_POSTGRESQL_${color}`;
  for (let i = 2; ; i++) if (!namesOnApp.has(`HEROKU_POSTGRESQL_${i}`)) return `HEROKU_POSTGRESQL_${i}`;
}
