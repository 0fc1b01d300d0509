import { describe, expect, it } from "vitest";
import { compileTimestampPattern, TimestampPatternError } from "../src/transform/timestamp";

const parse = (pattern: string, text: string) => compileTimestampPattern(pattern)(text);

describe("timestamp patterns", () => {
  it("reads the product description's example: yyyy/MM/dd hh:mm, 2021/01/21 14:25", () => {
    expect(parse("yyyy/MM/dd hh:mm", "2021/01/21 14:25")).toBe("2021-01-21T14:25:00Z");
  });

  it.each([
    ["yyyy-MM-dd HH:mm:ss Z", "2025-12-03 23:59:29 +0000", "2025-12-03T23:59:29Z"],
    ["yyyy-MM-dd HH:mm:ss Z", "2026-04-06 01:48:03 +0400", "2026-04-05T21:48:03Z"],
    ["yyyy-MM-dd'T'HH:mm:ssZ", "2020-09-16T10:38:06+0100", "2020-09-16T09:38:06Z"],
    ["yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2020-09-16T10:38:06.123-02:30", "2020-09-16T13:08:06.123Z"],
    ["yyyy-MM-dd'T'HH:mm:ssXXX", "2020-09-16T10:38:06Z", "2020-09-16T10:38:06Z"],
    ["yyyy-MM-dd HH:mm X", "2020-09-16 10:38 +01", "2020-09-16T09:38:00Z"],
    ["yyyy-MM-dd HH:mm X", "2020-09-16 10:38 -0130", "2020-09-16T12:08:00Z"],
    ["dd/MM/yy", "05/03/21", "2021-03-05T00:00:00Z"],
    ["d MMM yyyy", "5 mar 2021", "2021-03-05T00:00:00Z"],
    ["d MMM yyyy", "15 Dec 2021", "2021-12-15T00:00:00Z"],
    ["MMMM d, yyyy", "March 5, 2021", "2021-03-05T00:00:00Z"],
    ["MM/dd/yyyy hh:mm a", "03/05/2021 12:15 AM", "2021-03-05T00:15:00Z"],
    ["MM/dd/yyyy hh:mm a", "03/05/2021 12:15 pm", "2021-03-05T12:15:00Z"],
    ["MM/dd/yyyy h:mm a", "03/05/2021 1:05 PM", "2021-03-05T13:05:00Z"],
    ["yyyyMMddHHmmss", "20210305235959", "2021-03-05T23:59:59Z"],
    ["d.M.yyyy H:mm", "5.3.2021 7:05", "2021-03-05T07:05:00Z"],
    ["yyyy-MM-dd 'at' HH'h'", "2021-03-05 at 07h", "2021-03-05T07:00:00Z"],
    ["yyyy-MM-dd HH:mm 'o''clock'", "2021-03-05 07:00 o'clock", "2021-03-05T07:00:00Z"],
    ["dd/MM/yyyy", "29/02/2024", "2024-02-29T00:00:00Z"],
    ["dd/MM/yyyy", " 01/02/2024 ", "2024-02-01T00:00:00Z"],
    ["yyyy-MM-dd HH:mm Z", "2021-01-01 00:30 +1400", "2020-12-31T10:30:00Z"],
    ["yyyy-MM-dd HH:mmXXX", "2021-01-01 00:30-18:00", "2021-01-01T18:30:00Z"],
  ])("%s reads %s as %s", (pattern, text, iso) => {
    expect(parse(pattern, text)).toBe(iso);
  });

  it.each([
    ["yyyy/MM/dd hh:mm", "2021/01/21 24:00", "hour 24"],
    ["yyyy/MM/dd hh:mm", "2021/13/21 10:00", "month 13"],
    ["dd/MM/yyyy", "29/02/2023", "29 February in a common year"],
    ["dd/MM/yyyy", "31/04/2023", "31 April"],
    ["dd/MM/yyyy", "1/2/2023", "one digit where dd needs two"],
    ["yyyy-MM-dd HH:mm", "2023-01-01 10:60", "minute 60"],
    ["MM/dd/yyyy hh:mm a", "03/05/2021 13:15 PM", "hour 13 with am/pm"],
    ["MM/dd/yyyy hh:mm a", "03/05/2021 00:15 AM", "hour 0 with am/pm"],
    ["d MMM yyyy", "5 Mrz 2021", "an unknown month"],
    ["yyyy-MM-dd", "2021-03-05 10:00", "trailing text"],
    ["yyyy-MM-dd", "", "empty text"],
    ["yyyy-MM-dd HH:mm Z", "2021-01-01 00:30 +0199", "an offset of 99 minutes"],
    ["yyyy-MM-dd HH:mm Z", "2021-01-01 00:30 +1900", "an offset of 19 hours"],
    ["yyyy-MM-dd HH:mmXXX", "2021-01-01 00:30-18:01", "an offset past 18 hours"],
  ])("%s refuses %s (%s)", (pattern, text) => {
    expect(parse(pattern, text)).toBeNull();
  });

  it.each([
    ["yyyy-MM-dd QQ", /"QQ" in the pattern/],
    ["yyyy-MM-dd'T", /unclosed quote/],
    ["HH:mm", /needs a year/],
    ["yyyy-MM-dd yyyy", /twice/],
    ["yyyy-MM-dd HH hh", /hour twice/],
  ])("refuses the pattern %s", (pattern, message) => {
    expect(() => compileTimestampPattern(pattern)).toThrow(TimestampPatternError);
    expect(() => compileTimestampPattern(pattern)).toThrow(message);
  });
});
