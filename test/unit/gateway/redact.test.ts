import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED } from "@/lib/gateway/redact";

const KEY = "sk-proj-Ab3dEf/Gh+Ij_Kl9";
const redact = createRedactor(KEY);

const b64 = (s: string) => Buffer.from(s).toString("base64");
const b64url = (s: string) => Buffer.from(s).toString("base64url");
const percentAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");

/** No run of the key's characters long enough to rebuild it is left, in any form checked here. */
function expectGone(text: string) {
  const out = redact(text);
  expect(out).toContain(REDACTED);
  expect(out.toLowerCase()).not.toContain(KEY.toLowerCase());
  expect(decodeURIComponent(out.replace(/%(?![0-9a-f]{2})/gi, "%25")).toLowerCase()).not.toContain(KEY.toLowerCase());
  for (const word of out.split(/[^A-Za-z0-9+/_=-]+/)) {
    for (const decoded of [Buffer.from(word, "base64").toString("latin1"), Buffer.from(word, "base64url").toString("latin1")]) {
      expect(decoded).not.toContain(KEY.slice(2, -2));
    }
  }
  return out;
}

describe("redaction of a provider key", () => {
  it.each([
    ["exact", `Incorrect API key provided: ${KEY}.`],
    ["the whole text", KEY],
    ["with nothing between it and other text", `xx${KEY}yy`],
    ["upper case", `key ${KEY.toUpperCase()} refused`],
    ["lower case", `key ${KEY.toLowerCase()} refused`],
    ["percent-encoded, as a URL component", `https://x.example/?key=${encodeURIComponent(KEY)}`],
    ["percent-encoded, every byte, lower-case hex", percentAll(KEY)],
    ["percent-encoded, every byte, upper-case hex", percentAll(KEY).toUpperCase()],
    ["percent-encoded twice", encodeURIComponent(encodeURIComponent(KEY))],
    ["base64", `token=${b64(KEY)}`],
    ["base64url", `token=${b64url(KEY)}`],
    ["base64 of Bearer <key>", `auth ${b64(`Bearer ${KEY}`)}`],
    ["base64url of Bearer <key>", `auth ${b64url(`Bearer ${KEY}`)}`],
    ["base64 of JSON around it", b64(JSON.stringify({ authorization: `Bearer ${KEY}`, n: 1 }))],
    ["base64 at the second alignment", b64(`a${KEY}`)],
    ["base64 at the third alignment", b64(`ab${KEY}`)],
    ["twice in one text", `${KEY} and ${KEY.toUpperCase()}`],
  ])("hides the key %s", (_name, text) => {
    expectGone(text);
  });

  it("leaves the rest of the text as it was", () => {
    expect(redact(`Incorrect API key provided: ${KEY}. See https://docs.example/keys`)).toBe(`Incorrect API key provided: ${REDACTED}. See https://docs.example/keys`);
    expect(redact("nothing secret here, sk-proj-other")).toBe("nothing secret here, sk-proj-other");
  });

  it("does nothing without a key, or with one too short to hide", () => {
    expect(createRedactor(null)("a b c")).toBe("a b c");
    expect(createRedactor("abc")("abc abc")).toBe("abc abc");
  });
});
