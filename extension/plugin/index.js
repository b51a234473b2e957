// The extension's build plugin, as a site loads it from its own node_modules:
//   [[plugins]]
//     package = "@awl/extension/plugin"
// `npm run build` (and so `npm pack`) writes it to .ntli/build; this folder gives it a stable name
// with its manifest, since the package's "main" is the extension's source entry for the Netlify SDK.
export { default } from "../.ntli/build/index.js";
