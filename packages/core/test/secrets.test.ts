import { describe, expect, it } from "vitest";
import { loadKeyring, openSource, sealSource } from "../src/secrets";

const KEYS = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const source = {
  type: "sftp" as const,
  host: "sftp.example.com",
  username: "exports",
  password: "sftp-password-value",
  path: "/a.csv",
};

describe("sealed source secrets", () => {
  it("open for the tenant they were sealed for, and for no other", async () => {
    const keyring = await loadKeyring(KEYS);
    const sealed = await sealSource(keyring, source, "acme");
    expect(sealed.type === "sftp" && sealed.password).toMatch(/^enc:v2:k1:/);
    expect(JSON.stringify(sealed)).not.toContain("sftp-password-value");
    expect(await openSource(keyring, sealed, "acme")).toEqual(source);
    await expect(openSource(keyring, sealed, "globex")).rejects.toThrow(
      "a stored secret does not decrypt: it belongs to another tenant, or it was changed",
    );
  });

  it("still open a secret sealed before they were bound to a tenant, and bind it when sealed again", async () => {
    const keyring = await loadKeyring(KEYS);
    // The older form: AES-GCM without additional data, under the prefix enc:v1.
    const iv = new Uint8Array(12).fill(7);
    const data = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv },
        keyring.current.key,
        new TextEncoder().encode("old-pass"),
      ),
    );
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    const old = { ...source, password: `enc:v1:k1:${b64(iv)}:${b64(data)}` };
    expect(await openSource(keyring, old, "acme")).toEqual({ ...source, password: "old-pass" });
    const resealed = await sealSource(keyring, old, "acme");
    expect(resealed.type === "sftp" && resealed.password).toMatch(/^enc:v2:k1:/);
    expect(await openSource(keyring, resealed, "acme")).toEqual({ ...source, password: "old-pass" });
    await expect(openSource(keyring, resealed, "globex")).rejects.toThrow(/another tenant/);
  });
});
