/** A validation issue's path as OpenAI names the `param` of an error: messages[0].content, settings.maxAttempts */
export function paramPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), "");
}
