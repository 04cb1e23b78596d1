// Where a field path of the API's errors (groups[0].tasks[1].resources.memory) sits in the YAML or
// JSON text the user typed, so that the editor can point at the line. A good guess, not a parser:
// it walks the text key by key, and list items by their dashes (YAML) or objects (JSON).

export function tokens(path) {
  const out = [];
  for (const part of String(path || '').split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    if (m[1]) out.push(m[1]);
    for (const i of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(i[1]));
  }
  return out;
}

const indentOf = (line) => line.length - line.trimStart().length;

/** 1-based line of `path` in YAML text, or 0 when it cannot tell. */
export function yamlLine(text, path) {
  const lines = text.split('\n');
  let at = 0, minIndent = -1, found = 0;
  for (const t of tokens(path)) {
    if (typeof t === 'number') {
      // the t-th "- " item after `at`, at the indentation of the first one
      let seen = -1, itemIndent = -1, hit = -1;
      for (let i = at; i < lines.length; i++) {
        const l = lines[i];
        if (!l.trim() || l.trim().startsWith('#')) continue;
        const ind = indentOf(l);
        if (i > at && ind <= minIndent && !l.trimStart().startsWith('- ')) break;
        if (l.trimStart().startsWith('- ') || l.trim() === '-') {
          if (itemIndent < 0) itemIndent = ind;
          if (ind === itemIndent && ++seen === t) { hit = i; break; }
          if (ind < itemIndent) break;
        }
      }
      if (hit < 0) return found;
      at = hit; minIndent = indentOf(lines[hit]); found = hit + 1;
      // the item's own line may hold its first key ("- name: x"): let the next key search start here
      continue;
    }
    const re = new RegExp(`^\\s*(?:-\\s+)?["']?${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
    let hit = -1;
    for (let i = at; i < lines.length; i++) {
      const l = lines[i];
      if (i > at && l.trim() && indentOf(l) <= minIndent && !(found && i === at)) break;
      if (re.test(l)) { hit = i; break; }
    }
    if (hit < 0) return found;
    at = hit; minIndent = indentOf(lines[hit]) + (lines[hit].trimStart().startsWith('- ') ? 1 : 0) - 1; found = hit + 1;
  }
  return found;
}

/** 1-based line of the last key of `path` in JSON text (first occurrence after its parents), or 0. */
export function jsonLine(text, path) {
  let pos = 0, found = 0;
  for (const t of tokens(path)) {
    if (typeof t === 'number') continue;
    const i = text.indexOf(`"${t}"`, pos);
    if (i < 0) return found;
    pos = i + 1;
    found = text.slice(0, i).split('\n').length;
  }
  return found;
}

export const lineOf = (text, path) => text.trim().startsWith('{') ? jsonLine(text, path) : yamlLine(text, path);
