/** `apbEps` -> `--apb-eps`: commander's camelCase option keys back to the flag the user typed. */
export function flagNameOf(key: string): string {
  if (key.startsWith('-')) return key;
  return `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
