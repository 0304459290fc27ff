import * as tf from '@tensorflow/tfjs-core';

import { runLabel, type ServedRun } from './api.js';
import { fgsm, pgd } from './attacks.js';
import { paintGrey, paintPerturbation } from './canvas.js';
import { imageTensor, loadFoldedModel } from './model.js';

/** The attacks the playground offers (the values of the attack select). */
export type AttackName = 'fgsm' | 'fgsm-margin' | 'pgd';

/** The image under attack: grey values 0..255, and its true class when known (a drawing has none). */
export interface SourceImage {
  pixels: number[];
  cols: number;
  label: number | null;
  caption: string;
}

/** What one panel computed, also written onto the panel as data attributes for tests. */
export interface PanelResult {
  cleanClass: number;
  adversarialClass: number;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function showMessage(panel: HTMLElement, title: string, message: string, suggestion?: string | null): void {
  panel.replaceChildren(element('h3', {}, title), element('p', { class: 'message error', 'data-testid': 'panel-message' }, suggestion ? `${message} ${suggestion}` : message));
  panel.dataset.state = 'error';
}

function bars(probabilities: number[], classNames: string[], predicted: number, label: number | null, testid: string): HTMLElement {
  const list = element('div', { class: 'bars', 'data-testid': testid });
  probabilities.forEach((probability, i) => {
    const row = element('div', { class: `bar-row${i === predicted ? ' predicted' : ''}${i === label ? ' true-class' : ''}` });
    const track = element('span', { class: 'track' });
    const fill = element('span', { class: 'fill' });
    fill.style.width = `${(probability * 100).toFixed(1)}%`;
    track.append(fill);
    row.append(element('span', { class: 'name' }, classNames[i] ?? String(i)), track, element('span', { class: 'value' }, `${(probability * 100).toFixed(1)}%`));
    list.append(row);
  });
  return list;
}

function figure(caption: string, canvas: HTMLCanvasElement): HTMLElement {
  const node = element('figure');
  node.append(canvas, element('figcaption', {}, caption));
  return node;
}

function runAttack(name: AttackName, logits: (x: tf.Tensor) => tf.Tensor2D, x: tf.Tensor, label: number, eps: number): tf.Tensor {
  if (name === 'pgd') return pgd(logits, x, [label], eps, { steps: 10 });
  return fgsm(logits, x, [label], eps, name === 'fgsm-margin' ? 'margin' : 'cross-entropy');
}

/**
 * Attacks `source` with `attack` at `eps` on the folded model of `run` and draws the result into
 * `panel`: the clean and adversarial predictions with softmax bars, the adversarial image and the
 * perturbation. A run without a folded model, or one whose model cannot be loaded or does not take
 * this image, gets a message in the panel instead.
 */
export async function attackPanel(panel: HTMLElement, run: ServedRun | undefined, source: SourceImage, attack: AttackName, eps: number, classNames: string[]): Promise<PanelResult | undefined> {
  panel.dataset.state = 'running';
  delete panel.dataset.cleanClass;
  delete panel.dataset.adversarialClass;
  if (run === undefined) {
    showMessage(panel, 'No model', 'Choose a run with a folded model.');
    return undefined;
  }
  const title = runLabel(run);
  if (!run.folded.available) {
    showMessage(panel, title, `This run has no folded model to attack: ${run.folded.reason}`);
    return undefined;
  }
  let loaded;
  try {
    loaded = await loadFoldedModel(run.folded.modelUrl);
  } catch (error) {
    showMessage(panel, title, `Cannot load the folded model ${run.folded.modelUrl}: ${(error as Error).message}.`, 'Check that model-folded/ was written by apb train.');
    return undefined;
  }
  let x: tf.Tensor;
  try {
    x = imageTensor(source.pixels, loaded.inputShape);
  } catch (error) {
    showMessage(panel, title, `This image does not fit the model: ${(error as Error).message}.`);
    return undefined;
  }
  const { logits } = loaded;
  let computed: number[][];
  try {
    computed = tf.tidy(() => {
      const clean = tf.softmax(logits(x));
      const cleanClass = tf.argMax(clean, 1).dataSync()[0]!;
      const adv = runAttack(attack, logits, x, source.label ?? cleanClass, eps);
      return [Array.from(clean.dataSync()), Array.from(adv.dataSync()), Array.from(tf.softmax(logits(adv)).dataSync()), Array.from(tf.sub(adv, x).dataSync())];
    });
  } catch (error) {
    showMessage(panel, title, `The attack failed on this model: ${(error as Error).message}.`, 'Try the cpu backend (add ?backend=cpu to the address).');
    return undefined;
  } finally {
    x.dispose();
  }
  const [cleanProbabilities, adversarial, adversarialProbabilities, delta] = computed as [number[], number[], number[], number[]];
  const argmax = (values: number[]) => values.indexOf(Math.max(...values));
  const cleanClass = argmax(cleanProbabilities);
  const adversarialClass = argmax(adversarialProbabilities);
  const name = (i: number) => classNames[i] ?? String(i);
  const target = source.label ?? cleanClass;
  const adversarialCanvas = element('canvas', { class: 'digit', 'data-testid': 'adversarial-image' });
  paintGrey(adversarialCanvas, adversarial, source.cols);
  const perturbationCanvas = element('canvas', { class: 'digit', 'data-testid': 'perturbation' });
  paintPerturbation(perturbationCanvas, delta, source.cols, eps);
  const linf = Math.max(0, ...delta.map(Math.abs));
  const fooled = adversarialClass !== target;

  const clean = element('div', { class: 'column' });
  clean.append(element('h4', {}, 'clean'), element('p', { class: 'prediction', 'data-testid': 'prediction-clean' }, `predicts ${name(cleanClass)}`), bars(cleanProbabilities, classNames, cleanClass, source.label, 'bars-clean'));
  const images = element('div', { class: 'column images' });
  images.append(figure('adversarial', adversarialCanvas), figure(`perturbation (max |δ| ${linf.toFixed(3)})`, perturbationCanvas));
  const attacked = element('div', { class: 'column' });
  attacked.append(
    element('h4', {}, `${attack} eps ${eps.toFixed(2)}`),
    element('p', { class: `prediction ${fooled ? 'fooled' : 'held'}`, 'data-testid': 'prediction-adversarial' }, `predicts ${name(adversarialClass)}${fooled ? ' (fooled)' : ' (held)'}`),
    bars(adversarialProbabilities, classNames, adversarialClass, source.label, 'bars-adversarial'),
  );
  const row = element('div', { class: 'panel-row' });
  row.append(clean, images, attacked);
  panel.replaceChildren(element('h3', {}, title), row);
  panel.dataset.cleanClass = String(cleanClass);
  panel.dataset.adversarialClass = String(adversarialClass);
  panel.dataset.state = 'done';
  return { cleanClass, adversarialClass };
}

/** Draws `source` into the chosen-image canvas and caption. */
export function showSource(canvas: HTMLCanvasElement, caption: HTMLElement, source: SourceImage): void {
  paintGrey(canvas, source.pixels.map((value) => value / 255), source.cols);
  caption.textContent = source.caption;
}
