/**
 * Where the sign-in page may send someone afterwards: a path on this site, never another site.
 * Browsers and URL parsers forgive a lot ("\" for "/", tabs and newlines dropped, "/./" collapsed),
 * so the value is parsed the way a browser would and the result judged, not the raw text.
 */

// Any origin will do: only whether the value stays on it matters.
const BASE = new URL("http://switchyard.invalid");

// Printable ASCII without space: the paths this app links to are never anything else.
const PLAIN = /^[\x21-\x7e]+$/;
// Decoded, a path must not hide a second slash, a backslash or a control or space character:
// a server or browser that decodes once more would see "//host" or a header-splitting newline.
const HIDDEN = /^\/\/|[\\\x00-\x20\x7f]/;

export function safeNext(next: string | string[] | undefined, fallback = "/"): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value || !PLAIN.test(value) || value.includes("\\")) return fallback;
  if (!value.startsWith("/") || value.startsWith("//")) return fallback;
  let url: URL;
  let decoded: string;
  try {
    url = new URL(value, BASE);
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE.origin || HIDDEN.test(url.pathname) || HIDDEN.test(decoded)) return fallback;
  return url.pathname + url.search + url.hash;
}
