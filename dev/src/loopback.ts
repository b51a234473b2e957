/**
 * Which requests awl dev's local servers answer: the Upstash Redis REST API, the QStash API and the
 * events dashboard. Each holds or hands out power over the developer's machine (FLUSHALL and CONFIG
 * on the Redis behind it, signed requests to any local port, the events API key), and its token is a
 * well-known dev default, so a token proves nothing about who is asking. What is refused, whatever
 * the token:
 *
 * - a Host that is not a loopback name: a DNS-rebinding page on evil.example resolving to 127.0.0.1
 *   still sends "Host: evil.example";
 * - any request a browser marks as coming from another page: `Sec-Fetch-Site: cross-site` or
 *   `same-site` (another port of localhost is the same site), an `Origin` or `Referer` that is not
 *   this server's own origin, and `Origin: null` (sandboxed frames, data: URLs, some redirects).
 *
 * Non-browser clients (the official @upstash clients, curl, the CLI) send none of these headers and
 * pass; so does a page the server itself serves (the dashboard's), which is same-origin.
 */

/** "localhost", "127.0.0.1" (any 127/8 address), "[::1]", with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, "").toLowerCase();
  return (
    name === "localhost" ||
    name.endsWith(".localhost") ||
    name === "[::1]" ||
    /^127(\.\d{1,3}){3}$/.test(name)
  );
}

/**
 * Why a request is refused (a sentence for a 403 body), or undefined when it may proceed.
 * `service` names the server in that sentence, e.g. "the Upstash Redis REST API of awl dev".
 */
export function refusal(headers: Headers, service: string): string | undefined {
  const host = headers.get("host") ?? undefined;
  if (!isLoopbackHost(host)) {
    return (
      `Host ${JSON.stringify(host ?? "")} is not a loopback name: ${service} answers only to ` +
      `localhost, 127.0.0.1 and [::1] (protection against DNS rebinding). Use http://127.0.0.1:<port>.`
    );
  }
  const fromPage = `${service} refuses requests from web pages other than its own`;
  const site = headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    return `${site} request refused: ${fromPage}, whatever token they carry`;
  }
  const origin = headers.get("origin");
  if (origin === "null") {
    return `request with Origin: null refused (a sandboxed or opaque page): ${fromPage}`;
  }
  if (origin !== null && !sameOrigin(origin, host)) {
    return `cross-site request from ${origin} refused: ${fromPage}`;
  }
  const referer = headers.get("referer");
  if (referer !== null && !sameOrigin(referer, host)) {
    // A browser too old for Sec-Fetch-Site sends no Origin on a GET (an <img> or a link), but
    // usually a Referer: only its origin is named, its path may hold secrets.
    const from = URL.canParse(referer) ? new URL(referer).origin : "another page";
    return `cross-site request from ${from} refused: ${fromPage}`;
  }
  return undefined;
}

/** Whether a URL (an Origin or a Referer) is on this server: http(s) and exactly its Host. */
function sameOrigin(url: string, host: string | undefined): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.host === host?.toLowerCase();
}
