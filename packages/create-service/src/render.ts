/**
 * The template language, deliberately tiny: `{{key}}` substitutes a value,
 * and `{{#flag}}...{{/flag}}` keeps its lines only when `flag` is true. The
 * block markers sit on lines of their own and leave no blank line behind.
 */
export function render(
  template: string,
  values: Record<string, string>,
  flags: Record<string, boolean>,
): string {
  const blocks = template.replace(
    /^[ \t]*\{\{#(\w+)\}\}\n([\s\S]*?)^[ \t]*\{\{\/\1\}\}\n/gm,
    (_, flag: string, body: string) => {
      if (!(flag in flags)) throw new Error(`template uses unknown flag ${flag}`);
      return flags[flag] ? body : '';
    },
  );
  return blocks.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template uses unknown value ${key}`);
    return value;
  });
}
