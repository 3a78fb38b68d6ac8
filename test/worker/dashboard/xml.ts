/**
 * A strict little well-formedness check for the SVG the chart builders emit (workerd has no
 * DOMParser): every tag closes in order, attributes are quoted, and text and attribute values hold
 * no raw `<` and no `&` that does not start an entity. Returns the problems found ([] = well formed).
 */
export function xmlProblems(markup: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  const badAmp = /&(?!(?:amp|lt|gt|quot|#39|#\d+|#x[0-9a-f]+);)/i;
  for (let m = token.exec(markup); m; m = token.exec(markup)) {
    const [whole, closing, name, attrs, selfClosing, text, stray] = m;
    if (stray) problems.push(`a stray "<" at ${m.index}: ${markup.slice(m.index, m.index + 30)}`);
    else if (text !== undefined) {
      if (badAmp.test(text)) problems.push(`an unescaped "&" in text: ${text.slice(0, 40)}`);
      if (text.includes(">")) problems.push(`a raw ">" in text: ${text.slice(0, 40)}`);
    } else if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? "nothing"}>`);
    } else {
      if (attrs && badAmp.test(attrs)) problems.push(`an unescaped "&" in the attributes of <${name}>`);
      if (!selfClosing) stack.push(name as string);
    }
    if (whole === "") break;
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  return problems;
}
