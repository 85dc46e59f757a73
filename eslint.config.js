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
    // .dependency-cruiser.cjs: the import-direction rules, read by `npm run lint:deps`
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly" } },
  },
  {
    // src/start.js and src/build-if-stale.js: plain JavaScript run by node (npm start), type-checked by tsc (checkJs)
    files: ["src/**/*.js"],
    languageOptions: { globals: { process: "readonly", URL: "readonly" } },
  },
  {
    // the dashboard (.tsx too); that it imports no server code is checked with the other boundaries (.dependency-cruiser.cjs)
    files: ["src/web/app/**/*.{ts,tsx}"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
