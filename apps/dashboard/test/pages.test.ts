import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("dashboard", () => {
  it("shows Collect > Data Imports with a New Import button", async () => {
    const res = await exports.default.fetch("http://dash.test/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain("<h1>Data Imports</h1>");
    expect(html).toContain("Collect");
    expect(html).toMatch(/<a class="button" href="\/imports\/new">New Import<\/a>/);
  });

  it("serves its stylesheet from static assets", async () => {
    const res = await exports.default.fetch("http://dash.test/styles.css");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("--accent");
  });
});
