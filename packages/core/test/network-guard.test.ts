import { describe, expect, it } from "vitest";
import { unsafeHostReason } from "../src/network-guard";

describe("the SSRF guard's judgement of a host", () => {
  it.each([
    "127.0.0.1",
    "localhost",
    "LOCALHOST.",
    "[::1]",
    "::1",
    "0:0:0:0:0:0:0:1",
    "0000:0000:0000:0000:0000:0000:0000:0001",
    "[::]",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "metadata.google.internal",
    "printer.local",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "::ffff:127.0.0.1",
    "::ffff:0:127.0.0.1",
    "[::ffff:0:a9fe:a9fe]",
    "[::ffff:7f00:1]",
    "::ffff:a9fe:a9fe",
    "0:0:0:0:0:ffff:a00:1",
    "::127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1",
    "2002:7f00:1::",
    "2002:c0a8:101::1",
    "fd00::2",
    "fc00::1",
    "fe80::1%eth0",
    "[fe80::fc:ff:fe00:1]",
    "fec0::1",
    "ff02::1",
    "1::2::3",
    "12345::1",
  ])("refuses %s", (host) => {
    expect(unsafeHostReason(host)).toEqual(expect.any(String));
  });

  it.each([
    "example.com",
    "files.shop.example",
    "8.8.8.8",
    "[2606:4700:4700::1111]",
    "2a00:1450:4001:82b::200e",
    "::ffff:8.8.8.8",
    "::ffff:808:808",
    "::ffff:0:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("allows %s", (host) => {
    expect(unsafeHostReason(host)).toBeNull();
  });
});
