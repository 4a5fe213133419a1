// Where a field path (`containerDefinitions[0].secrets`, as the core names fields in its
// errors) is in a JSON text: the core reports some errors by path only (after it has reshaped
// the document), and the user needs the line. Text processing only: no ECS knowledge here.

/** `{line, column, offset}` (1-based line and column) of the value at `path` in `text`, or
 *  null when the text is not JSON or has no such field. */
export function locate(text, path) {
  let i = 0;
  const stack = []; // per open container: {array: bool, key: string|null, index: number}
  const here = () => stack.map((c) => (c.array ? `[${c.index}]` : `.${c.key}`)).join("").replace(/^\./, "");
  const skipString = () => {
    const start = ++i;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    return text.slice(start, i++);
  };
  const position = (offset) => {
    const before = text.slice(0, offset).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1, offset };
  };
  let expectKey = false;
  while (i < text.length) {
    const c = text[i];
    if (/\s|,|:/.test(c)) {
      if (c === "," && stack.length) {
        const top = stack[stack.length - 1];
        if (top.array) top.index++;
        else expectKey = true;
      }
      i++;
      continue;
    }
    if (c === '"' && expectKey) {
      stack[stack.length - 1].key = skipString();
      expectKey = false;
      continue;
    }
    // A value starts here.
    if (stack.length && here() === path) return position(i);
    if (c === "{" || c === "[") {
      stack.push({ array: c === "[", key: null, index: 0 });
      expectKey = c === "{";
      i++;
    } else if (c === "}" || c === "]") {
      stack.pop();
      i++;
    } else if (c === '"') {
      skipString();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
    }
  }
  return null;
}
