// Maps a field path of a YAML/JSON config text to its line and column, for error messages.
import { LineCounter, parseDocument, isNode } from 'yaml';

export type Locate = (segments: readonly (string | number)[]) => { line: number; column: number } | undefined;

/** A locator over `text`: the position of the deepest node of `segments` that exists. */
export function locatorFor(text: string): Locate {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  return (segments) => {
    for (let n = segments.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(segments.slice(0, n), true);
      if (node !== undefined && isNode(node) && node.range) {
        const pos = lines.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return undefined;
  };
}
