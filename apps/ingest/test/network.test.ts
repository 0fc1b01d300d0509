import { describe, expect, it } from "vitest";
import { guardHost } from "../src/network";

const resolvesTo =
  (...addresses: string[]) =>
  async () =>
    addresses;

describe("guardHost (run time)", () => {
  it("refuses a public-looking name that now resolves to a private or metadata address", async () => {
    await expect(
      guardHost("files.example.com", "URL host", false, resolvesTo("93.184.215.14", "10.0.0.7")),
    ).rejects.toMatchObject({
      code: "source_refused",
      message:
        "The URL host files.example.com cannot be used: it resolves to 10.0.0.7, and 10.0.0.7 is a private, loopback, link-local or reserved address. Sources must be reachable on the public internet.",
    });
    await expect(
      guardHost("sftp.example.com", "SFTP host", false, resolvesTo("fd00::1")),
    ).rejects.toMatchObject({
      code: "source_refused",
    });
  });

  it("lets a name that resolves to public addresses through, and one whose lookup fails", async () => {
    await expect(
      guardHost("files.example.com", "URL host", false, resolvesTo("93.184.215.14")),
    ).resolves.toBeUndefined();
    const failing = async () => {
      throw new Error("DNS over HTTPS unreachable");
    };
    await expect(guardHost("files.example.com", "URL host", false, failing)).resolves.toBeUndefined();
  });

  it("refuses literal private addresses without a lookup, and allows everything for local work", async () => {
    const never = async () => {
      throw new Error("must not resolve");
    };
    await expect(guardHost("192.168.1.10", "S3 endpoint", false, never)).rejects.toMatchObject({
      code: "source_refused",
    });
    await expect(guardHost("192.168.1.10", "S3 endpoint", true, never)).resolves.toBeUndefined();
  });
});
