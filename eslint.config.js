// Lint rules: typescript-eslint's recommended set, with `any` forbidden in src.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules", "data", "drizzle", "coverage", "dist"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["src/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  {
    // the dashboard is one more client of the HTTP API: it imports nothing from the server code
    files: ["src/web/app/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              // any path that leaves src/web/app (two or more levels up from a page, one from the root file)
              regex: "^\\.\\./(\\.\\./)*(analytics|auth|byok|catalog|chains|cli|config|db|deposits|domain|formats|gateway|http|keys|ledger|metrics|providers|routing|workers|x402|app\\.js|main\\.js|web/build)",
              message: "src/web/app is a browser client of the public HTTP API: it may not import server code.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
