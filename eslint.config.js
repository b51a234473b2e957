// One lint setup for every workspace package.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/dashboard-assets/**", "**/.netlify/**", "**/.ntli/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // With noUncheckedIndexedAccess every indexed read may be undefined; `!` marks the reads whose
      // presence the code has already established (pairs of a flat Redis reply, a tuple just built).
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
