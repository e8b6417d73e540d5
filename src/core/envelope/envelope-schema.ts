// The envelope as a zod classic object, for programs that build on it (`.extend`, `.pick`, …). Kept out of
// envelope.ts so that only programs that use it load zod classic: the core itself parses with zod/mini, and the
// extension bundle drops this module (the call is marked pure and nothing in the extension reads the constant).
import { z } from 'zod';
import { envelopeSchema } from './envelope';

function classicEnvelopeSchema() {
  return z.looseObject(envelopeSchema().shape);
}

export const eventEnvelopeSchema = /* @__PURE__ */ classicEnvelopeSchema();
