// Text that reads as it was written: the app's copy of the one rule the server applies to
// everything people type for others (webapp/text.py; issue 18, finding 6). No DOM. Both sides
// are tested on the same cases (tests/js/fixtures/text.json).

/** How a text is laid out: one line (names, labels, tags, steps) or paragraphs (long text). */
export const LINE = "line";
export const PARAGRAPHS = "paragraphs";

// Controls (C0, DEL, C1), bidi embeddings, overrides and isolates, line and paragraph
// separators, lone surrogates and the noncharacters. Tab, line feed and carriage return are
// told apart: long text keeps them.
const REFUSED =
  /[\p{Cc}\p{Cs}\u2028\u2029\u202A-\u202E\u2066-\u2069\uFDD0-\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/u;
const LAYOUT = new Set(["\t", "\n", "\r"]);
const LEADING_MARK = /^\p{M}/u;

/** Return a character's name as people look it up: `U+202E`. */
export function codePoint(char) {
  return `U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Return what is wrong with a typed text, or null: `{reason, code}` where reason is `layout`
 * (a tab or line break in one line), `hidden` (a refused character) or `mark` (it starts with
 * a combining mark, as a name made of accents alone does).
 */
export function textProblem(text, layout = LINE) {
  const value = String(text ?? "");
  for (const char of value) {
    if (!REFUSED.test(char)) continue;
    if (LAYOUT.has(char)) {
      if (layout === PARAGRAPHS) continue;
      return { reason: "layout", code: codePoint(char) };
    }
    return { reason: "hidden", code: codePoint(char) };
  }
  const mark = LEADING_MARK.exec(value);
  return mark ? { reason: "mark", code: codePoint(mark[0]) } : null;
}

/** The error code a form shows for each reason (i18n.js `error_<code>`, with `{code}`). */
export const TEXT_ERRORS = Object.freeze({
  layout: "one_line",
  hidden: "hidden_character",
  mark: "leading_mark",
});
