import { describe, expect, it } from 'vitest';
import { MAX_STRING_LENGTH, truncateText } from './limits.js';

describe('truncateText', () => {
  it('leaves a string within the limit as it is', () => {
    for (const text of ['', 'short', 'x'.repeat(MAX_STRING_LENGTH)]) expect(truncateText(text)).toBe(text);
  });

  it('cuts a longer one to the limit, marking the cut with an ellipsis', () => {
    const cut = truncateText('x'.repeat(MAX_STRING_LENGTH + 1));
    expect(cut).toHaveLength(MAX_STRING_LENGTH);
    expect(cut).toBe(`${'x'.repeat(MAX_STRING_LENGTH - 1)}…`);
    expect(truncateText('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    // The emoji would straddle the cut: it goes whole, one unit short of the limit.
    expect(truncateText('ab\u{1F600}cd', 4)).toBe('ab…');
    // Entirely before the cut: kept.
    expect(truncateText('a\u{1F600}bcd', 4)).toBe('a\u{1F600}…');
    const cut = truncateText('\u{1F600}'.repeat(MAX_STRING_LENGTH));
    expect(cut.length).toBeLessThanOrEqual(MAX_STRING_LENGTH);
    // No lone surrogate left at the end.
    expect(cut).toBe(`${'\u{1F600}'.repeat(511)}…`);
  });
});
