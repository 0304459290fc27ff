/** Paints grey values in [0, 1] (row-major, `cols` wide) onto a canvas of the same pixel size. */
export function paintGrey(canvas: HTMLCanvasElement, values: ArrayLike<number>, cols: number): void {
  const rows = Math.round(values.length / cols);
  canvas.width = cols;
  canvas.height = rows;
  const context = canvas.getContext('2d');
  if (context === null) return;
  const image = context.createImageData(cols, rows);
  for (let i = 0; i < values.length; i += 1) {
    const grey = Math.round(Math.min(1, Math.max(0, values[i]!)) * 255);
    image.data.set([grey, grey, grey, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

/**
 * Paints a perturbation in [-eps, eps] red where it brightens a pixel and blue where it darkens
 * it, white where it is zero; full colour at |delta| = eps.
 */
export function paintPerturbation(canvas: HTMLCanvasElement, delta: ArrayLike<number>, cols: number, eps: number): void {
  const rows = Math.round(delta.length / cols);
  canvas.width = cols;
  canvas.height = rows;
  const context = canvas.getContext('2d');
  if (context === null) return;
  const image = context.createImageData(cols, rows);
  for (let i = 0; i < delta.length; i += 1) {
    const strength = eps > 0 ? Math.min(1, Math.abs(delta[i]!) / eps) : 0;
    const fade = Math.round(255 * (1 - strength));
    const rgb = delta[i]! > 0 ? [255, fade, fade] : [fade, fade, 255];
    image.data.set([...rgb, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

/**
 * A 28x28 drawing pad shown at `canvas`'s own size: the pointer paints a soft round brush, and
 * {@link DrawPad.pixels} averages it down to the model's resolution (0..255 per pixel).
 */
export class DrawPad {
  private drawing = false;
  private readonly context: CanvasRenderingContext2D;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly size = 28,
  ) {
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (context === null) throw new Error('no 2d canvas context');
    this.context = context;
    this.clear();
    canvas.addEventListener('pointerdown', (event) => {
      this.drawing = true;
      canvas.setPointerCapture(event.pointerId);
      this.paint(event);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (this.drawing) this.paint(event);
    });
    canvas.addEventListener('pointerup', () => (this.drawing = false));
  }

  clear(): void {
    this.context.fillStyle = 'black';
    this.context.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  private paint(event: PointerEvent): void {
    const box = this.canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * this.canvas.width;
    const y = ((event.clientY - box.top) / box.height) * this.canvas.height;
    // A stroke about two model pixels wide, like a pen-written MNIST digit.
    const radius = (this.canvas.width / this.size) * 1.2;
    const gradient = this.context.createRadialGradient(x, y, 0, x, y, radius);
    gradient.addColorStop(0, 'rgba(255,255,255,1)');
    gradient.addColorStop(1, 'rgba(255,255,255,0)');
    this.context.fillStyle = gradient;
    this.context.beginPath();
    this.context.arc(x, y, radius, 0, Math.PI * 2);
    this.context.fill();
  }

  /** The drawing at `size` x `size`, grey values 0..255, row-major. */
  pixels(): number[] {
    const data = this.context.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
    const cell = this.canvas.width / this.size;
    const out: number[] = [];
    for (let row = 0; row < this.size; row += 1) {
      for (let col = 0; col < this.size; col += 1) {
        let sum = 0;
        let count = 0;
        for (let y = Math.floor(row * cell); y < Math.floor((row + 1) * cell); y += 1) {
          for (let x = Math.floor(col * cell); x < Math.floor((col + 1) * cell); x += 1) {
            sum += data[(y * this.canvas.width + x) * 4]!;
            count += 1;
          }
        }
        out.push(count > 0 ? Math.round(sum / count) : 0);
      }
    }
    return out;
  }
}
