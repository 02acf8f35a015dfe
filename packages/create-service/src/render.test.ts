import { describe, expect, it } from 'vitest';
import { render } from './render.js';

describe('render', () => {
  it('substitutes values and keeps or drops flagged blocks without leaving blank lines', () => {
    const tpl = 'a {{x}}\n{{#on}}\nkept {{x}}\n{{/on}}\n{{#off}}\ndropped\n{{/off}}\nz\n';
    expect(render(tpl, { x: '1' }, { on: true, off: false })).toBe('a 1\nkept 1\nz\n');
  });

  it('refuses unknown keys and flags instead of emitting them', () => {
    expect(() => render('{{nope}}', {}, {})).toThrow(/unknown value nope/);
    expect(() => render('{{#nope}}\nx\n{{/nope}}\n', {}, {})).toThrow(/unknown flag nope/);
  });
});
