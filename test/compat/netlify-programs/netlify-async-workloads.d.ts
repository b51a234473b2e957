/**
 * For the workspace type-check (tsconfig.json includes test/): the programs in this folder are
 * Netlify programs and import "@netlify/async-workloads"; the workspace checks them against this
 * package's drop-in (this declaration wins over the real package, a devDependency).
 * test/compat/netlify-types.test.ts compiles them against both.
 */
declare module "@netlify/async-workloads" {
  export * from "@awl/client/netlify";
}
