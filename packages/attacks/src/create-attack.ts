import { ApbError } from '@apb/core';
import type { Attack } from './attack.js';
import type { Classifier } from './classifier.js';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfFgsmRandomStart } from './linf-fgsm-random-start.js';
import { LinfPgd } from './linf-pgd.js';
import { LinfSquare } from './linf-square.js';
import { RandomNoise } from './random-noise.js';
import { Transfer } from './transfer.js';

/** Short names accepted by {@link createAttack} (and the CLI's `--attack`). */
export const ATTACK_NAMES = ['fgsm', 'pgd', 'fgsm-rs', 'square', 'noise', 'transfer'] as const;

/** One of {@link ATTACK_NAMES}. */
export type AttackName = (typeof ATTACK_NAMES)[number];

const KNOWN_PARAMS: Record<AttackName, readonly string[]> = {
  fgsm: ['loss', 'targeted'],
  pgd: ['steps', 'stepSize', 'randomStart', 'restarts', 'loss', 'seed', 'targeted'],
  'fgsm-rs': ['alpha', 'seed', 'targeted'],
  square: ['queries', 'pInit', 'seed', 'targeted'],
  noise: ['seed'],
  transfer: ['source', 'attack', 'attackParams', 'name'],
};

/**
 * Builds an attack from its short name and a plain parameter object (for the CLI and configs).
 * For `transfer`, `params.source` is the surrogate model and `params.attack` an {@link Attack} or a
 * name, with `params.attackParams` for the latter. Unknown names and parameters are errors.
 */
export function createAttack(name: string, params: Record<string, unknown> = {}): Attack {
  if (!(ATTACK_NAMES as readonly string[]).includes(name)) {
    throw new ApbError(`attack "${name}" is unknown; expected one of ${ATTACK_NAMES.join(', ')}`, {
      code: 'INVALID_OPTION',
      suggestion: `Use one of: ${ATTACK_NAMES.join(', ')}.`,
    });
  }
  const attackName = name as AttackName;
  for (const key of Object.keys(params)) {
    if (!KNOWN_PARAMS[attackName].includes(key)) {
      throw new ApbError(`attack "${name}": option "${key}" is unknown; expected ${KNOWN_PARAMS[attackName].join(', ')}`, {
        code: 'INVALID_OPTION',
        suggestion: `Remove "${key}" or use one of: ${KNOWN_PARAMS[attackName].join(', ')}.`,
      });
    }
  }
  switch (attackName) {
    case 'fgsm':
      return new LinfFgsm(params);
    case 'pgd':
      return new LinfPgd(params);
    case 'fgsm-rs':
      return new LinfFgsmRandomStart(params);
    case 'square':
      return new LinfSquare(params);
    case 'noise':
      return new RandomNoise(params);
    case 'transfer': {
      const inner =
        typeof params.attack === 'string'
          ? createAttack(params.attack, (params.attackParams ?? {}) as Record<string, unknown>)
          : (params.attack ?? new LinfPgd());
      return new Transfer({ source: params.source as Classifier, attack: inner as Attack, ...(params.name === undefined ? {} : { name: params.name as string }) });
    }
  }
}
