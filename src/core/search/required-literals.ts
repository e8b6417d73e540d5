// Texts an event's JSON must contain for a filter to match, read off the expression's top-level `&&` chain:
// `a.b == "text"`, `"text" == a.b`, `a.b.contains("text")`, `.startsWith(…)`, `.endsWith(…)` on the event's own fields.
// Only texts of plain characters qualify: JSON may write any other character escaped, and `/` as `\/`. A JSON text
// without a backslash writes every string value verbatim, so if it lacks one of these texts the event cannot match.
const PLAIN = /^[A-Za-z0-9_ .:@#=,;+-]+$/;
const TEXT_CALLS = new Set(['contains', 'startsWith', 'endsWith']);

interface Node {
  op: string;
  args: unknown;
}

export function requiredLiterals(ast: unknown): string[] {
  const out = new Set<string>();
  const visit = (node: Node | undefined, depth: number): void => {
    if (!node || depth > 50) return;
    const args = node.args as unknown[];
    if (node.op === '&&') {
      visit(args[0] as Node, depth + 1);
      visit(args[1] as Node, depth + 1);
    } else if (node.op === '==') {
      const [a, b] = args as [Node, Node];
      const text = literal(a) ?? literal(b);
      const field = literal(a) !== undefined ? b : a;
      // A string value equal to the text is written as the text in quotes.
      if (text !== undefined && isEventField(field)) out.add(`"${text}"`);
    } else if (node.op === 'rcall') {
      const [name, receiver, callArgs] = args as [string, Node, Node[]];
      const text = callArgs?.length === 1 ? literal(callArgs[0]) : undefined;
      if (TEXT_CALLS.has(name) && text !== undefined && isEventField(receiver)) out.add(text);
    }
  };
  visit(ast as Node, 0);
  return [...out];
}

function literal(node: Node | undefined): string | undefined {
  return node?.op === 'value' && typeof node.args === 'string' && PLAIN.test(node.args) ? node.args : undefined;
}

/** `name` or `name.a.b` where name is one of the event's fields (not `_id`/`_stream`, which are not in its JSON). */
function isEventField(node: Node | undefined): boolean {
  for (let depth = 0; node && depth < 50; depth++) {
    if (node.op === 'id') return typeof node.args === 'string' && !node.args.startsWith('_');
    if (node.op !== '.') return false;
    node = (node.args as [Node, string])[0];
  }
  return false;
}
