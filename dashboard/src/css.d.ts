/** Stylesheets imported for their side effect; esbuild (awl dev) and the extension's bundler emit them. */
declare module "*.css";
