// Three projects so `npm test` can run them in order and CI can read one JSON report.
const common = {
  preset: "ts-jest",
  testEnvironment: "node",
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }] },
};
module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/tests/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "integration",
      // conformance: clients nobody here wrote (the Heroku CLI, heroku-client, psql) against the emulator.
      testMatch: [
        "<rootDir>/tests/integration/**/*.test.ts",
        "<rootDir>/tests/emulator/**/*.test.ts",
        "<rootDir>/tests/conformance/**/*.test.ts",
      ],
    },
    { ...common, displayName: "e2e", testMatch: ["<rootDir>/tests/e2e/**/*.test.ts"] },
  ],
};
