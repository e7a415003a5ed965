import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeNext } from "@/lib/server/safe-next";

const SITE = "https://switchyard.example";

/** Where a browser on our site lands when told to go to `target`. */
const landsOn = (target: string) => new URL(target, `${SITE}/sign-in`);

// Each is the `next` value as the page receives it (the query string already decoded once).
const REFUSED: Array<[string, string]> = [
  ["protocol-relative", "//evil.example"],
  ["protocol-relative with path", "//evil.example/phish"],
  ["slash backslash", "/\\evil.example"],
  ["backslash backslash", "\\\\evil.example"],
  ["backslash slash", "\\/evil.example"],
  ["encoded tab, as text", "/%09/evil.example/phish"],
  ["decoded tab", "/\t/evil.example/phish"],
  ["encoded newline, as text", "/%0a/evil.example"],
  ["decoded newline", "/\n/evil.example"],
  ["decoded carriage return", "/\r/evil.example"],
  ["newline at the end", "/settings\n"],
  ["NUL", "/settings\u0000"],
  ["DEL", "/\u007f/evil.example"],
  ["encoded slashes, not a path", "%2f%2fevil.example"],
  ["encoded second slash", "/%2fevil.example"],
  ["encoded second slash, upper case", "/%2F/evil.example"],
  ["encoded backslash", "/%5cevil.example"],
  ["encoded newline in the middle", "/c/abc%0d%0aSet-Cookie:x=1"],
  ["malformed escape", "/%E0%A4%A"],
  ["absolute https", "https://evil.example"],
  ["absolute http, no slashes", "http:evil.example"],
  ["scheme-relative with backslashes", "https:\\\\evil.example"],
  ["javascript", "javascript:alert(1)"],
  ["javascript behind a slash-less path", "javascript://%0aalert(1)"],
  ["data URL", "data:text/html,<script>alert(1)</script>"],
  ["space before the second slash", "/ /evil.example"],
  ["leading space", " /settings"],
  ["dot segment to protocol-relative", "/.//evil.example"],
  ["dot-dot segment to protocol-relative", "/a/..//evil.example"],
  ["fullwidth solidus", "\uff0f\uff0fevil.example"],
  ["slash then fullwidth solidus", "/\uff0fevil.example"],
  ["fullwidth reverse solidus", "/\uff3cevil.example"],
  ["ideographic space", "/\u3000/evil.example"],
  ["non-breaking space", "/\u00a0/evil.example"],
  ["right-to-left override", "/\u202e/moc.elpmaxe.live"],
  ["relative path", "settings"],
  ["empty", ""],
];

const KEPT: Array<[string, string]> = [
  ["/", "/"],
  ["/settings/teams?x=1#y", "/settings/teams?x=1#y"],
  ["/c/conv_0123abcd", "/c/conv_0123abcd"],
  ["/usage?from=2025-01-01&to=2025-01-31", "/usage?from=2025-01-01&to=2025-01-31"],
  ["/settings/routes/route_1?tab=events", "/settings/routes/route_1?tab=events"],
  // A query may carry encoded characters; only the path is checked for hidden slashes.
  ["/usage?model=gpt%2F4", "/usage?model=gpt%2F4"],
  // Resolved as a browser would, so the page redirects to the same place the browser would go.
  ["/settings/../usage", "/usage"],
];

describe("safeNext", () => {
  it.each(REFUSED)("refuses %s", (_, value) => {
    expect(safeNext(value)).toBe("/");
  });

  it.each(KEPT)("keeps %s", (value, expected) => {
    expect(safeNext(value)).toBe(expected);
    expect(landsOn(safeNext(value)).origin).toBe(SITE);
  });

  it("takes the first of repeated values and falls back when there is none", () => {
    expect(safeNext(["/usage", "//evil.example"])).toBe("/usage");
    expect(safeNext(["//evil.example", "/usage"])).toBe("/");
    expect(safeNext(undefined)).toBe("/");
    expect(safeNext("//evil.example", "/settings")).toBe("/settings");
  });

  it("never sends a browser off the site, whatever the value", () => {
    const piece = fc.oneof(
      fc.constantFrom("/", "\\", "//", ".", "..", ":", "%2f", "%5c", "%09", "%0a", "%00", "\t", "\n", "\r", " ", "\uff0f", "@", "?", "#", "evil.example", "http:", "javascript:", "%252f"),
      fc.string({ maxLength: 4 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }).map((parts) => parts.join("")), (value) => {
        const out = safeNext(value);
        expect(out.startsWith("/") && !out.startsWith("//")).toBe(true);
        expect(out).not.toMatch(/[\\\x00-\x20\x7f]/);
        expect(landsOn(out).origin).toBe(SITE);
      }),
      { numRuns: 3000 },
    );
  });
});
