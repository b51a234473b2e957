/**
 * For the workspace type-check (tsconfig.json includes test/): the programs in this folder are
 * Netlify programs and import "@netlify/async-workloads", which is not installed here; they are
 * checked against this package's drop-in. test/compat/netlify-types.test.ts compiles them the same
 * way (a paths mapping) and, given the real package, against it too.
 */
declare module "@netlify/async-workloads" {
  export * from "@awl/client/netlify";
}
