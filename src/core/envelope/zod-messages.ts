// zod/mini (the core's zod: classic is ~450 KiB the extension would load at start-up for nothing) ships no messages;
// errors read "Invalid input" until a locale is set. The core's issues are shown to people, so it sets zod's English
// messages, as zod classic does on import, unless the program chose a locale of its own.
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

export function useZodMessages(): void {
  if (!config().localeError) config(en());
}
