/**
 * The project file's own findings: what in `microvm-net.toml` is not valid (reported where it is
 * written, and left out), and each `[assume]` entry the workspace shows otherwise (config/assume.ts
 * finds them; the assumption still applies, since the user may know what the workspace cannot show).
 */
import { DIAGNOSTICS } from './codes';
import { type Check, diagnostic } from './context';

const { configInvalid, assumptionContradicted } = DIAGNOSTICS;

export const projectFileCheck: Check = {
  codes: [configInvalid, assumptionContradicted],
  run({ facts }) {
    if (!facts.project) return [];
    return [
      ...facts.project.problems.map((p) => diagnostic(configInvalid, p.message, p.location)),
      ...facts.project.contradictions.map((c) => diagnostic(assumptionContradicted, c.message, c.location, { related: c.related })),
    ];
  },
};
