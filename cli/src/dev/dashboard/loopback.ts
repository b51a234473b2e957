/**
 * Which requests the local dashboard server answers. It adds the events API key itself, so it must
 * only ever be reached from this machine by pages it served: the Host header must be a loopback name
 * (a DNS-rebinding page on evil.example resolving to 127.0.0.1 still sends "Host: evil.example"),
 * and a request a browser marks as coming from another origin (a cross-site form or fetch trying to
 * retry or delete) is refused too.
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

/** Why a request is refused, or undefined when it may proceed. */
export function refusal(headers: Headers): string | undefined {
  const host = headers.get("host") ?? undefined;
  if (!isLoopbackHost(host)) {
    return (
      `Host ${JSON.stringify(host ?? "")} is not a loopback name: the awl dev dashboard answers only to ` +
      `localhost, 127.0.0.1 and [::1] (protection against DNS rebinding). Open it at http://127.0.0.1:<port>.`
    );
  }
  const origin = headers.get("origin");
  if (origin && origin !== "null" && URL.canParse(origin) && new URL(origin).host !== host) {
    return `requests from ${origin} are refused: only the dashboard's own page may call its API`;
  }
  if (headers.get("sec-fetch-site") === "cross-site") {
    return "cross-site requests are refused: only the dashboard's own page may call its API";
  }
  return undefined;
}
