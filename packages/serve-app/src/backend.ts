import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';

/** True when the browser can give us a WebGL context at all (headless Chromium often cannot). */
function webglAvailable(): boolean {
  try {
    const canvas = document.createElement('canvas');
    return (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) !== null;
  } catch {
    return false;
  }
}

/**
 * Picks webgl, falling back to cpu, and returns the backend's name. `?backend=cpu` in the page's
 * address forces cpu. Stock tfjs-backend-wasm is not offered: it lacks gradient kernels LeNet
 * needs (MaxPoolGrad), so attacks could not run on it.
 */
export async function pickBackend(search: string = location.search): Promise<string> {
  const forced = new URLSearchParams(search).get('backend');
  // Asking tfjs for webgl where no context exists makes it log a failed initialisation; check first.
  if (forced !== 'cpu' && webglAvailable() && (await tf.setBackend('webgl'))) return 'webgl';
  await tf.setBackend('cpu');
  return 'cpu';
}
