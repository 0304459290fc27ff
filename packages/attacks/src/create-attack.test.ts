import { isApbError } from '@apb/core';
import { describe, expect, it } from 'vitest';
import { ATTACK_NAMES, createAttack } from './create-attack.js';
import { LinfFgsm } from './linf-fgsm.js';
import { LinfFgsmRandomStart } from './linf-fgsm-random-start.js';
import { LinfPgd } from './linf-pgd.js';
import { LinfSquare } from './linf-square.js';
import { RandomNoise } from './random-noise.js';
import { Transfer } from './transfer.js';

const source = (): never => {
  throw new Error('not called');
};

describe('createAttack', () => {
  it('builds each attack from its short name, with the same name', () => {
    const classes = [LinfFgsm, LinfPgd, LinfFgsmRandomStart, LinfSquare, RandomNoise, Transfer];
    ATTACK_NAMES.forEach((name, i) => {
      const attack = createAttack(name, name === 'transfer' ? { source, attack: 'fgsm' } : {});
      expect(attack).toBeInstanceOf(classes[i]);
      expect(attack.name).toBe(name);
    });
  });

  it('names the margin-loss variants apart, so their results are never mixed with cross-entropy ones', () => {
    expect(createAttack('fgsm', { loss: 'margin' }).name).toBe('fgsm-margin');
    expect(createAttack('pgd', { loss: 'margin' }).name).toBe('pgd-margin');
    expect(createAttack('fgsm', { loss: 'ce' }).name).toBe('fgsm');
    expect(createAttack('pgd').name).toBe('pgd');
  });

  it('passes parameters through to the constructor', () => {
    const pgd = createAttack('pgd', { steps: 7, restarts: 2, loss: 'margin' });
    expect(pgd.params).toMatchObject({ steps: 7, restarts: 2, loss: 'margin' });
    const transfer = createAttack('transfer', { source, attack: 'pgd', attackParams: { steps: 3 } });
    expect(transfer.params).toMatchObject({ attack: 'pgd', attackParams: { steps: 3 } });
  });

  it('rejects unknown names and parameters with an ApbError naming them', () => {
    expect(() => createAttack('deepfool')).toThrow(/"deepfool"/);
    expect(() => createAttack('pgd', { step: 3 })).toThrow(/"step"/);
    expect(() => createAttack('pgd', { steps: 0 })).toThrow(/"steps"/);
    try {
      createAttack('square', { queries: -1 });
      expect.unreachable();
    } catch (error) {
      expect(isApbError(error)).toBe(true);
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
  });
});
