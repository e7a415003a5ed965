/**
 * Reads an nginx config file into its directives, enough for tests to check what it says without
 * an nginx binary: words, quoted strings, `;`, `{ }` blocks and comments. Variables and includes
 * are left as written.
 */
export interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}

function tokens(text: string): string[] {
  const out: string[] = [];
  const pattern = /#[^\n]*|"((?:\\.|[^"\\])*)"|'((?:\\.|[^'\\])*)'|([{};])|([^\s{};"'#]+)/g;
  for (const m of text.matchAll(pattern)) {
    if (m[0].startsWith("#")) continue;
    out.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return out;
}

export function parseNginxConfig(text: string): Directive[] {
  const list = tokens(text);
  let i = 0;
  const readBlock = (nested: boolean): Directive[] => {
    const directives: Directive[] = [];
    while (i < list.length) {
      if (list[i] === "}") {
        if (!nested) throw new Error("unexpected '}'");
        i++;
        return directives;
      }
      const name = list[i++]!;
      const args: string[] = [];
      while (i < list.length && list[i] !== ";" && list[i] !== "{") args.push(list[i++]!);
      if (i >= list.length) throw new Error(`'${name}' is not ended by ';' or a block`);
      if (list[i++] === "{") directives.push({ name, args, block: readBlock(true) });
      else directives.push({ name, args });
    }
    if (nested) throw new Error("a block is not closed");
    return directives;
  };
  return readBlock(false);
}

/** Every directive called `name`, at any depth. */
export function findAll(directives: Directive[], name: string): Directive[] {
  return directives.flatMap((d) => [...(d.name === name ? [d] : []), ...findAll(d.block ?? [], name)]);
}
