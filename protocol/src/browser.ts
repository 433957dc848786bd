import { z } from 'zod';

// Imported first by the browser app (web/src/hooks.client.ts), before any
// schema is defined: Préau's pages forbid eval in their Content-Security-
// Policy, and zod would otherwise probe `new Function` to compile its
// parsers, which the browser reports as a violation. The servers keep zod's
// compiled parsers.
z.config({ jitless: true });
