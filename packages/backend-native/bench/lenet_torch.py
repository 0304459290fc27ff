"""Times the paper's LeNet in PyTorch exactly as `apb bench`'s native suite times it in TensorFlow.js.

conv 6@5x5 relu maxpool 2, conv 16@5x5 relu maxpool 2, fc 120 relu, fc 84 relu, fc 10 (logits);
Adam 1e-3; seeded synthetic batches of 128 MNIST-shaped images, the per-step workloads cycling
through --step-batches of them as a user's loop does (training on one fixed batch memorizes it within
seconds and its gradients go subnormal, which slowed this FGSM step 2-3x). Workloads, images/s each:
  clean:     one Adam step on the clean batch;
  fgsm:      FGSM on the batch (input gradient, eval mode), then one Adam step on clean + adversarial
             (256 images), counted as the 128 source images;
  inference: logits for the batch under torch.no_grad();
  fit:       what a user's epoch loop does, the counterpart of tfjs' `model.fit`: one epoch over
             --fit-batches seeded synthetic batches through a shuffling DataLoader (TensorDataset,
             no worker processes), one Adam step and one `loss.item()` per batch.
Each is warmed up, then timed in windows of at least --seconds (fit: one warm-up epoch, then one
epoch per window); the median window is reported.
Prints one JSON object on stdout. Usage: python3 lenet_torch.py [--threads 2] [--batch 128]
[--warmup 3] [--windows 5] [--seconds 2] [--workloads clean,fgsm,inference,fit] [--fit-batches 200].
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def measure(step, images, warmup, windows, seconds):
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(windows):
        start = time.perf_counter()
        steps = 0
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        rates.append(steps * images / elapsed)
    return {"imagesPerSecond": statistics.median(rates), "windowRates": rates}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--windows", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--workloads", default="clean,fgsm,inference")
    parser.add_argument("--fit-batches", type=int, default=200)
    parser.add_argument("--step-batches", type=int, default=16)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = lenet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    batches = [(torch.rand(args.batch, 1, 28, 28), torch.randint(0, 10, (args.batch,))) for _ in range(args.step_batches)]
    calls = [0]
    eps = 0.1

    def next_batch():
        calls[0] += 1
        return batches[calls[0] % len(batches)]

    def clean_step():
        images, labels = next_batch()
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        loss.item()

    def fgsm_step():
        images, labels = next_batch()
        model.eval()
        x = images.clone().requires_grad_(True)
        gradient, = torch.autograd.grad(F.cross_entropy(model(x), labels), x)
        adversarial = (images + eps * gradient.sign()).clamp(0, 1)
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(torch.cat([images, adversarial])), torch.cat([labels, labels]))
        loss.backward()
        optimizer.step()
        loss.item()

    def inference():
        images, _ = next_batch()
        model.eval()
        with torch.no_grad():
            model(images).sum().item()

    fit_images = torch.rand(args.fit_batches * args.batch, 1, 28, 28)
    fit_labels = torch.randint(0, 10, (args.fit_batches * args.batch,))
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(fit_images, fit_labels), batch_size=args.batch, shuffle=True)

    def fit_epoch():
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item()
        return total

    steps = {"clean": clean_step, "fgsm": fgsm_step, "inference": inference, "fit": fit_epoch}
    results = {}
    for name in args.workloads.split(","):
        # Every workload starts from the same initial weights and a fresh Adam, as each of ours
        # does (the bench's native and user-paths suites), so no figure depends on what ran before.
        model.load_state_dict(initial)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        if name == "fit":
            results[name] = measure(fit_epoch, args.fit_batches * args.batch, min(args.warmup, 1), args.windows, 0)
        else:
            results[name] = measure(steps[name], args.batch, args.warmup, args.windows, args.seconds)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "batch": args.batch,
        "stepBatches": args.step_batches,
        "results": results,
    }))


if __name__ == "__main__":
    main()
