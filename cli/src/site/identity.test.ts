import { describe, expect, it } from "vitest";
import { siteNamespace, sitePrefix } from "./identity.ts";

describe("siteNamespace", () => {
  it("names a site after its folder, told apart from a same-named folder elsewhere", () => {
    const a = siteNamespace("/home/ada/My Shop");
    const b = siteNamespace("/home/grace/My Shop");
    expect(a).toMatch(/^my-shop-[0-9a-f]{8}$/);
    expect(b).toMatch(/^my-shop-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
  });

  it("is the same for the same folder, however the path is spelled", () => {
    expect(siteNamespace("/srv/site/")).toBe(siteNamespace("/srv/./site"));
  });

  it("falls back to 'site' for a folder name with no letters or digits", () => {
    expect(siteNamespace("/tmp/___")).toMatch(/^site-[0-9a-f]{8}$/);
  });
});

describe("sitePrefix", () => {
  it("is a key prefix ending in a colon", () => {
    expect(sitePrefix("/srv/shop")).toMatch(/^awl:shop-[0-9a-f]{8}:$/);
  });
});
