import { describe, expect, it } from "vitest";
import { signUpload, uploadPath, verifyUpload } from "../src/index";

const grant = { method: "PUT" as const, key: "up_1/orders.csv", tenantId: "acme", expires: 1_900_000_000 };

describe("signed upload grants", () => {
  it("verifies its own signature", async () => {
    const sig = await signUpload(grant, "s3cret");
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyUpload(grant, sig, "s3cret")).toBe(true);
  });

  it("refuses any change to key, tenant, expiry or secret", async () => {
    const sig = await signUpload(grant, "s3cret");
    expect(await verifyUpload({ ...grant, key: "up_1/other.csv" }, sig, "s3cret")).toBe(false);
    expect(await verifyUpload({ ...grant, tenantId: "evil" }, sig, "s3cret")).toBe(false);
    expect(await verifyUpload({ ...grant, expires: grant.expires + 1 }, sig, "s3cret")).toBe(false);
    expect(await verifyUpload(grant, sig, "other-secret")).toBe(false);
    expect(await verifyUpload(grant, "zz", "s3cret")).toBe(false);
  });

  it("puts tenant, expiry and signature in the URL", async () => {
    const path = await uploadPath(grant, "s3cret");
    const url = new URL(path, "http://x");
    expect(url.pathname).toBe("/uploads/up_1/orders.csv");
    expect(url.searchParams.get("tenant")).toBe("acme");
    expect(url.searchParams.get("expires")).toBe("1900000000");
    expect(await verifyUpload(grant, url.searchParams.get("sig") ?? "", "s3cret")).toBe(true);
  });
});
