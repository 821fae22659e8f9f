// Recommended rules from ESLint and typescript-eslint, nothing disabled wholesale.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", "coverage/**", ".run/**", "bench/results/**", "**/*.js", "!jest.config.js"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      // Provider hooks load handler modules at run time by package name (see sdk/*): a static import would be
      // serialized into every resource's state.
      "@typescript-eslint/no-require-imports": [
        "error",
        { allow: ["^heroku-pg-secure/", "^\\.\\./provider/[a-z-]+/provider$"] },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["jest.config.js"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable" } },
  },
);
