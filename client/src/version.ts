/**
 * This package's version, for the extension's build-time check that it was built for the site's
 * `@awl/client` (client/src/version.test.ts holds it equal to package.json's).
 */
export const CLIENT_VERSION = "0.1.0";
