import { describe, expect, it } from "vitest";
import { currency, dateTime, INVALID, oneOf } from "../src/formats/values";
import { seededRandom } from "./support/random";

const pad = (n: number, width: number) => String(n).padStart(width, "0");

describe("dateTime", () => {
  it("answers what Date's toISOString does, for any year 0–9999, offset and fraction", () => {
    const random = seededRandom(11);
    const wrong: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const year = i < 100 ? i : Math.floor(random() * 10_000);
      const month = 1 + Math.floor(random() * 12);
      const day = 1 + Math.floor(random() * 28);
      const hour = Math.floor(random() * 24);
      const minute = Math.floor(random() * 60);
      const second = Math.floor(random() * 60);
      const millis = Math.floor(random() * 1000);
      const offset = Math.floor(random() * 27) * 30 - 720;
      const sign = offset < 0 ? "-" : "+";
      const zone =
        random() < 0.2
          ? "Z"
          : `${sign}${pad(Math.floor(Math.abs(offset) / 60), 2)}${random() < 0.5 ? ":" : ""}${pad(Math.abs(offset) % 60, 2)}`;
      const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}.${pad(millis, 3)}${zone}`;
      const utc = new Date(0);
      utc.setUTCFullYear(year, month - 1, day);
      utc.setUTCHours(hour, minute, second, millis);
      const expected = new Date(utc.getTime() - (zone === "Z" ? 0 : offset) * 60_000).toISOString();
      const read = dateTime.read(text);
      if (read !== expected) wrong.push(`${text}: ${String(read)}, not ${expected}`);
    }
    expect(wrong).toEqual([]);
  });

  it("reads a date alone as its midnight UTC, and refuses days that do not exist", () => {
    expect(dateTime.read("0001-01-01")).toBe("0001-01-01T00:00:00.000Z");
    expect(dateTime.read(" 2024-02-29 ")).toBe("2024-02-29T00:00:00.000Z");
    expect(dateTime.read("2023-02-29")).toBe(INVALID);
  });
});

describe("enumerated values", () => {
  it("answers a currency code or a status as the one shared string, trimmed", () => {
    const read = currency.read(" EUR ".slice(0));
    expect(read).toBe("EUR");
    expect(currency.read("eur")).toBe(INVALID);
    const status = oneOf(["placed", "paid"] as const, "invalid_status", { caseSensitive: false });
    expect(status.read(" PAID")).toBe("paid");
    expect(status.read("unpaid")).toBe(INVALID);
    const exact = oneOf(["placed", "paid"] as const, "invalid_status", { caseSensitive: true });
    expect(exact.read("Paid")).toBe(INVALID);
    expect(exact.read("paid ")).toBe("paid");
  });
});
